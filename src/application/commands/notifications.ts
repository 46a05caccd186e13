import { blocksDecider, blocksStream } from '../../domain/blocks/blocks.js';
import { inboxDecider, inboxStream, type InboxCommand } from '../../domain/inbox/inbox.js';
import { isRefusal, refuse } from '../../domain/shared/decision.js';
import { friendsDecider, friendsStream } from '../../domain/social/friends.js';
import { tournamentDecider, tournamentStream } from '../../domain/social/tournament.js';
import { userDecider, userStream } from '../../domain/user/user.js';
import { isBlockedEitherWay } from './blocks.js';
import { metaOf, ok, type Actor, type CommandDeps, type Outcome } from './context.js';

const runInbox = async (deps: CommandDeps, actor: Actor, command: InboxCommand, correlationId: string, at: string): Promise<Outcome> => {
  const result = await deps.repo.execute(inboxDecider, inboxStream(actor.userId), command, metaOf(deps, actor, correlationId, at));
  return isRefusal(result) ? result : ok(result.position, {});
};

export const readNotification = async (deps: CommandDeps, actor: Actor, notificationId: string, correlationId: string): Promise<Outcome> => {
  const owned = await deps.queries.hasNotification(actor.userId, notificationId);
  const at = deps.now().toISOString();
  return runInbox(deps, actor, { kind: 'ReadNotification', userId: actor.userId, notificationId, owned, at }, correlationId, at);
};

export const markAllNotificationsRead = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<Outcome> => {
  const at = deps.now().toISOString();
  return runInbox(deps, actor, { kind: 'MarkAllNotificationsRead', userId: actor.userId, at }, correlationId, at);
};

/** The `notification` action: stored as an event, delivered to the sender's own sockets only. */
export const sendEphemeralNotification = async (
  deps: CommandDeps,
  actor: Actor,
  input: { message: string; type: string },
  correlationId: string,
): Promise<Outcome> => {
  const at = deps.now().toISOString();
  return runInbox(
    deps,
    actor,
    { kind: 'SendEphemeralNotification', userId: actor.userId, message: input.message, notificationType: input.type, at },
    correlationId,
    at,
  );
};

export const addFriend = async (deps: CommandDeps, actor: Actor, input: { senderId: string; receiverId: string }, correlationId: string): Promise<Outcome> => {
  const receiver = await deps.repo.load(userDecider, userStream(input.receiverId));
  const blocked = input.senderId !== input.receiverId && (await isBlockedEitherWay(deps, actor.userId, input.receiverId));
  const at = deps.now().toISOString();
  const result = await deps.repo.execute(
    friendsDecider,
    friendsStream(actor.userId),
    { kind: 'AddFriend', actorId: actor.userId, senderId: input.senderId, receiverId: input.receiverId, receiverKnown: receiver.state.known, blocked, at },
    metaOf(deps, actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok(result.position, {});
};

export const announceTournament = async (
  deps: CommandDeps,
  actor: Actor,
  input: { tournamentId: string; name: string; organizerId: string },
  correlationId: string,
): Promise<Outcome> => {
  if (input.organizerId !== actor.userId) return refuse('forbidden', 'organizer_id must be your own id');
  const [own, blockersOfOrganizer] = await Promise.all([deps.repo.load(blocksDecider, blocksStream(actor.userId)), deps.blockers.blockersOf(actor.userId)]);
  const at = deps.now().toISOString();
  const result = await deps.repo.execute(
    tournamentDecider,
    tournamentStream(input.tournamentId),
    {
      kind: 'AnnounceTournament',
      actorId: actor.userId,
      tournamentId: input.tournamentId,
      name: input.name,
      organizerId: input.organizerId,
      blockedByOrganizer: [...own.state.blocked],
      blockersOfOrganizer,
      at,
    },
    metaOf(deps, actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok(result.position, {});
};
