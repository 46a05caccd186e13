import * as t from 'io-ts';

/** io-ts codecs for every stored event's `data`: the store is an edge, so reads are decoded. */
const at = t.string;
const userPair = t.tuple([t.string, t.string]);
const options = t.type({
  game_speed: t.keyof({ slow: null, medium: null, fast: null }),
  ranked: t.boolean,
  cool_mode: t.boolean,
  score_to_win: t.number,
  time_limit: t.number,
});
const parties = { inviteId: t.string, inviterId: t.string, inviteeId: t.string };
const profile = { userId: t.string, username: t.string, nickname: t.string, avatar: t.string, at };

export const eventDataCodecs = {
  UserRegistered: t.type(profile),
  UserProfileUpdated: t.type(profile),
  UsernameClaimed: t.type({ username: t.string, userId: t.string, previousHolderId: t.union([t.string, t.null]), at }),
  UserBlocked: t.type({ userId: t.string, blockedId: t.string, at }),
  UserUnblocked: t.type({ userId: t.string, blockedId: t.string, at }),
  ChatCreated: t.type({ chatId: t.string, members: userPair, createdBy: t.string, at }),
  MessageSent: t.intersection([
    t.type({
      chatId: t.string,
      messageId: t.string,
      senderId: t.string,
      content: t.string,
      seq: t.number,
      date: t.string,
      clientTimestamp: t.string,
    }),
    t.partial({ clientMsgId: t.string }),
  ]),
  MessageLiked: t.type({ chatId: t.string, messageId: t.string, userId: t.string, at }),
  MessageUnliked: t.type({ chatId: t.string, messageId: t.string, userId: t.string, at }),
  MessagesRead: t.type({ chatId: t.string, readerId: t.string, senderId: t.string, messageId: t.string, throughSeq: t.number, at }),
  RoomAnnounced: t.type({ chatId: t.string, by: t.string, at }),
  InvitationSent: t.type({ ...parties, options, clientId: t.string, at, expiresAt: t.string }),
  InvitationAccepted: t.type({ ...parties, gameId: t.string, options, at, endsAt: t.string }),
  InvitationDeclined: t.type({ ...parties, at }),
  InvitationCanceled: t.type({
    ...parties,
    reason: t.keyof({ canceled: null, expired: null, inviter_disconnected: null }),
    clientId: t.string,
    at,
  }),
  GameEnded: t.type({ gameId: t.string, players: userPair, at }),
  InvitationAbandoned: t.type({ inviteId: t.string, at }),
  EngagementReserved: t.intersection([
    t.type({ userId: t.string, inviteId: t.string, role: t.keyof({ inviter: null, invitee: null }), at, holdUntil: t.string }),
    t.partial({ recentSince: t.string }),
  ]),
  EngagementReleased: t.type({ userId: t.string, inviteId: t.string, at }),
  ConnectionOpened: t.type({ userId: t.string, connectionId: t.string, nodeId: t.string, at }),
  ConnectionClosed: t.type({ userId: t.string, connectionId: t.string, at }),
  UserWentOnline: t.type({ userId: t.string, at }),
  UserWentOffline: t.type({
    userId: t.string,
    reason: t.keyof({ disconnected: null, logout: null, inactive: null, node_lost: null }),
    at,
  }),
  ActivityRecorded: t.type({ userId: t.string, at }),
  NotificationRead: t.type({ userId: t.string, notificationId: t.string, at }),
  AllNotificationsRead: t.type({ userId: t.string, at }),
  EphemeralNotificationSent: t.type({ userId: t.string, message: t.string, notificationType: t.string, at }),
  FriendAdded: t.type({ userId: t.string, friendId: t.string, at }),
  TournamentAnnounced: t.type({ tournamentId: t.string, name: t.string, organizerId: t.string, excludedUserIds: t.readonlyArray(t.string), at }),
} as const;

export type KnownEventType = keyof typeof eventDataCodecs;

export const isKnownEventType = (type: string): type is KnownEventType => Object.hasOwn(eventDataCodecs, type);
