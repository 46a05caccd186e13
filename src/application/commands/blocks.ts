import { blocksDecider, blocksStream, blockedEitherWay } from '../../domain/blocks/blocks.js';
import { isRefusal, refuse } from '../../domain/shared/decision.js';
import { metaOf, ok, type Actor, type CommandDeps, type Outcome } from './context.js';

export const isBlockedEitherWay = async (deps: CommandDeps, a: string, b: string): Promise<boolean> => {
  const [sa, sb] = await Promise.all([deps.repo.load(blocksDecider, blocksStream(a)), deps.repo.load(blocksDecider, blocksStream(b))]);
  return blockedEitherWay(a, sa.state, b, sb.state);
};

export const setBlock = async (deps: CommandDeps, actor: Actor, targetUsername: string, block: boolean, correlationId: string): Promise<Outcome> => {
  const target = await deps.queries.userByUsername(targetUsername);
  if (target === undefined) return refuse('user_not_found', 'No such user');
  const at = deps.now().toISOString();
  const result = await deps.repo.execute(
    blocksDecider,
    blocksStream(actor.userId),
    { kind: block ? 'BlockUser' : 'UnblockUser', userId: actor.userId, targetId: target.userId, at },
    metaOf(deps, actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok(result.position, {});
};
