import { isRefusal } from '../../domain/shared/decision.js';
import { userDecider, userStream } from '../../domain/user/user.js';
import { usernameClaimDecider, usernameStream } from '../../domain/user/username-claim.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, ok, type Actor, type CommandDeps, type Ok } from './context.js';

/**
 * A user becomes known, or has its profile refreshed, whenever it presents a valid token; the
 * token's username is then claimed for it, and released by whoever held it before. In this
 * order, so that a release always finds the name on the earlier holder's record: whichever of
 * two racing users claims last holds the name, and the other's record gives it up.
 */
export const registerUser = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<Ok> => {
  const at = deps.now().toISOString();
  const meta = metaOf(deps, actor, correlationId, at);
  const registered = await deps.repo.execute(
    userDecider,
    userStream(actor.userId),
    { kind: 'RegisterUser', userId: actor.userId, username: actor.username, nickname: actor.nickname, avatar: actor.avatar, at },
    meta,
  );
  if (isRefusal(registered)) throw new Error(`Registration refused: ${registered.code}`);
  const claimStream = usernameStream(actor.username);
  // The common case (the same profile, a name this user holds) appends nothing and reads nothing more.
  const claim = await deps.repo.load(usernameClaimDecider, claimStream);
  if (registered.events.length === 0 && claim.state.holder === actor.userId) return ok(registered.position, {});
  const unrecordedHolderId = claim.revision < 0 ? (await deps.queries.userByUsername(actor.username))?.userId : undefined;
  const claimed = await deps.repo.execute(
    usernameClaimDecider,
    claimStream,
    { kind: 'ClaimUsername', username: actor.username, userId: actor.userId, unrecordedHolderId, at },
    meta,
  );
  if (isRefusal(claimed)) throw new Error(`Username claim refused: ${claimed.code}`);
  let position: Position | undefined = claimed.position ?? registered.position;
  for (const e of claimed.events) {
    if (e.data.previousHolderId === null) continue;
    const released = await deps.repo.execute(
      userDecider,
      userStream(e.data.previousHolderId),
      { kind: 'ReleaseUsername', userId: e.data.previousHolderId, username: e.data.username, at },
      meta,
    );
    if (!isRefusal(released) && released.position !== undefined) position = released.position;
  }
  return ok(position, {});
};
