import { blocksStream } from '../../domain/blocks/blocks.js';
import { isRefusal, ok, refuse, type Outcome } from '../../domain/shared/decision.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, type Actor, type CommandDeps } from '../shared/deps.js';

/** `PUT` / `DELETE /api/blocks/{username}`: idempotent. */
export const setBlock = async (
  deps: CommandDeps,
  actor: Actor,
  targetUsername: string,
  block: boolean,
  correlationId: string,
): Promise<Outcome<{ position: Position | undefined }>> => {
  const target = await (await deps.lookups()).userByUsername(targetUsername);
  if (target === undefined) return refuse('user_not_found', 'No such user');
  const at = deps.now().toISOString();
  const result = await deps.aggregates.blocks.execute(
    blocksStream(actor.userId),
    { kind: block ? 'BlockUser' : 'UnblockUser', userId: actor.userId, targetId: target.userId, at },
    metaOf(actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok({ position: result.position });
};
