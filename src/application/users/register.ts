import { isRefusal, ok, type Ok } from '../../domain/shared/decision.js';
import { userStream } from '../../domain/user/user.js';
import { usernameStream } from '../../domain/user/username-claim.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, type Actor, type CommandDeps } from '../shared/deps.js';

/**
 * A user becomes known, or has its profile refreshed, whenever it presents a valid token; then
 * the token's username is claimed for it (see username-claim.ts). In this order, so that the
 * claim stored last for a name is always that of the user whose record was last given it: the
 * read models clear the name from every other user as each claim arrives.
 */
export const registerUser = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<Ok<{ position: Position | undefined }>> => {
  const at = deps.now().toISOString();
  const meta = metaOf(actor, correlationId, at);
  const { user, usernameClaim } = deps.aggregates;
  const registered = await user.execute(
    userStream(actor.userId),
    { kind: 'RegisterUser', userId: actor.userId, username: actor.username, nickname: actor.nickname, avatar: actor.avatar, at },
    meta,
  );
  if (isRefusal(registered)) throw new Error(`Registration refused: ${registered.code}`);
  const claimStream = usernameStream(deps.usernames.hash(actor.username));
  // The common case (the same profile, a name this user holds) appends nothing and reads nothing more.
  const claim = await usernameClaim.load(claimStream);
  if (registered.events.length === 0 && claim.state.holder === actor.userId) return ok({ position: registered.position });
  const claimed = await usernameClaim.execute(claimStream, { kind: 'ClaimUsername', username: actor.username, userId: actor.userId, at }, meta);
  if (isRefusal(claimed)) throw new Error(`Username claim refused: ${claimed.code}`);
  return ok({ position: claimed.position ?? registered.position });
};
