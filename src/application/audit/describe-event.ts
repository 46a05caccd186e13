import type { AnyDomainEvent } from '../../domain/events.js';

/** A one-line human description of an event, for audit timelines. */
export const describeEvent = (e: AnyDomainEvent, u: (userId: string) => string): string => {
  switch (e.type) {
    case 'UserRegistered':
      return `${e.data.username} became known (nickname ${JSON.stringify(e.data.nickname)})`;
    case 'UserProfileUpdated':
      return `${e.data.username} updated their profile (nickname ${JSON.stringify(e.data.nickname)})`;
    case 'UsernameClaimed':
      return `${u(e.data.userId)} holds the username ${e.data.username}${e.data.previousHolderId === null ? '' : ` (before: ${u(e.data.previousHolderId)}, who no longer does)`}`;
    case 'UserBlocked':
      return `${u(e.data.userId)} blocked ${u(e.data.blockedId)}`;
    case 'UserUnblocked':
      return `${u(e.data.userId)} unblocked ${u(e.data.blockedId)}`;
    case 'ChatCreated':
      return `chat ${e.data.chatId} opened between ${u(e.data.members[0])} and ${u(e.data.members[1])}`;
    case 'MessageSent':
      return `${u(e.data.senderId)} wrote #${e.data.seq} ${JSON.stringify(e.data.content)}`;
    case 'MessageLiked':
      return `${u(e.data.userId)} liked message ${e.data.messageId}`;
    case 'MessageUnliked':
      return `${u(e.data.userId)} unliked message ${e.data.messageId}`;
    case 'MessagesRead':
      return `${u(e.data.readerId)} read ${u(e.data.senderId)}'s messages up to #${e.data.throughSeq}`;
    case 'RoomAnnounced':
      return `${u(e.data.by)} announced the room`;
    case 'InvitationSent':
      return `${u(e.data.inviterId)} invited ${u(e.data.inviteeId)} to a game (${JSON.stringify(e.data.options)})`;
    case 'InvitationAccepted':
      return `${u(e.data.inviteeId)} accepted ${u(e.data.inviterId)}'s invitation: game ${e.data.gameId}`;
    case 'InvitationDeclined':
      return `${u(e.data.inviteeId)} declined ${u(e.data.inviterId)}'s invitation`;
    case 'InvitationCanceled':
      return `${u(e.data.inviterId)}'s invitation to ${u(e.data.inviteeId)} was withdrawn (${e.data.reason})`;
    case 'GameEnded':
      return `game ${e.data.gameId} between ${u(e.data.players[0])} and ${u(e.data.players[1])} ended`;
    case 'InvitationAbandoned':
      return `invitation ${e.data.inviteId} was abandoned before it was sent`;
    case 'EngagementReserved':
      return `${u(e.data.userId)} was reserved as ${e.data.role} of invitation ${e.data.inviteId}`;
    case 'EngagementReleased':
      return `${u(e.data.userId)}'s reservation for invitation ${e.data.inviteId} was released`;
    case 'ConnectionOpened':
      return `${u(e.data.userId)} connected (${e.data.connectionId} on node ${e.data.nodeId})`;
    case 'ConnectionClosed':
      return `${u(e.data.userId)} disconnected (${e.data.connectionId})`;
    case 'UserWentOnline':
      return `${u(e.data.userId)} is online`;
    case 'UserWentOffline':
      return `${u(e.data.userId)} is offline (${e.data.reason})`;
    case 'ActivityRecorded':
      return `${u(e.data.userId)} was active`;
    case 'NotificationRead':
      return `${u(e.data.userId)} read notification ${e.data.notificationId}`;
    case 'AllNotificationsRead':
      return `${u(e.data.userId)} marked every notification read`;
    case 'EphemeralNotificationSent':
      return `${u(e.data.userId)} sent themselves a ${e.data.notificationType} notification`;
    case 'FriendAdded':
      return `${u(e.data.userId)} added ${u(e.data.friendId)} as a friend`;
    case 'TournamentAnnounced':
      return `${u(e.data.organizerId)} announced tournament ${JSON.stringify(e.data.name)}`;
  }
};

/** The user ids an event concerns: its actor, and anyone it names. */
export const usersInvolved = (e: AnyDomainEvent): readonly string[] => {
  const d: object = e.data;
  const field = (key: string): unknown => (d as Readonly<Record<string, unknown>>)[key];
  const ids: string[] = [];
  for (const key of ['userId', 'senderId', 'readerId', 'blockedId', 'friendId', 'inviterId', 'inviteeId', 'organizerId', 'by', 'createdBy']) {
    const v = field(key);
    if (typeof v === 'string') ids.push(v);
  }
  for (const key of ['members', 'players']) {
    const v = field(key);
    if (Array.isArray(v)) for (const id of v) if (typeof id === 'string') ids.push(id);
  }
  return ids;
};
