import { userDecider, userStream } from '../../domain/user/user.js';
import { isRefusal } from '../../domain/shared/decision.js';
import { metaOf, ok, type Actor, type CommandDeps, type Ok } from './context.js';

/** A user becomes known, or has its profile refreshed, whenever it presents a valid token. */
export const registerUser = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<Ok> => {
  const at = deps.now().toISOString();
  const result = await deps.repo.execute(
    userDecider,
    userStream(actor.userId),
    { kind: 'RegisterUser', userId: actor.userId, username: actor.username, nickname: actor.nickname, avatar: actor.avatar, at },
    metaOf(deps, actor, correlationId, at),
  );
  if (isRefusal(result)) throw new Error(`Registration refused: ${result.code}`);
  return ok(result.position, {});
};
