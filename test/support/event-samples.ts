import type { AnyDomainEvent, EventType } from '../../src/domain/events.js';
import { DEFAULT_GAME_OPTIONS } from '../../src/domain/invite/options.js';

export const AT = '2025-07-28T09:00:00.000Z';
export const POS = '42';
export const CHAT = '5eafd8eb-5be1-4671-9ff8-ba8fbb798af7';
export const MSG = 'a13c68f0-9358-49b7-8fe0-ac288a793e6c';
export const INVITE = '0b9d4a8e-46d4-4a39-9f7b-3c1f6f0c1d11';
export const GAME = '7f3e2c1a-5b6d-4e8f-9a0b-1c2d3e4f5a6b';
export const CLIENT = 'c0ffee00-1234-4abc-8def-0123456789ab';
export const TOURNAMENT = '11111111-2222-4333-8444-555555555555';
export const OPTIONS = { ...DEFAULT_GAME_OPTIONS, score_to_win: 11 };

/** One sample of every event type: adding an event type without a sample fails to compile. */
export const samples: { [K in EventType]: Extract<AnyDomainEvent, { type: K }> } = {
  UserRegistered: { type: 'UserRegistered', data: { userId: 'alice', username: 'alice', nickname: 'A', avatar: '', at: AT } },
  UserProfileUpdated: { type: 'UserProfileUpdated', data: { userId: 'alice', username: 'alice', nickname: 'A2', avatar: '', at: AT } },
  UsernameClaimed: { type: 'UsernameClaimed', data: { username: 'alice', userId: 'bob', previousHolderId: 'alice', at: AT } },
  ErasureRequested: { type: 'ErasureRequested', data: { userId: 'alice', keyIds: ['k1'], at: AT } },
  UserErased: { type: 'UserErased', data: { userId: 'alice', alias: 'erased-0123456789abcdef01234567', at: AT } },
  UserBlocked: { type: 'UserBlocked', data: { userId: 'alice', blockedId: 'bob', at: AT } },
  UserUnblocked: { type: 'UserUnblocked', data: { userId: 'alice', blockedId: 'bob', at: AT } },
  ChatCreated: { type: 'ChatCreated', data: { chatId: CHAT, members: ['alice', 'bob'], createdBy: 'alice', at: AT } },
  MessageSent: {
    type: 'MessageSent',
    data: { chatId: CHAT, messageId: MSG, senderId: 'alice', content: 'Hello!', seq: 1, date: AT, clientTimestamp: '2025-07-28T08:59:59Z' },
  },
  MessageLiked: { type: 'MessageLiked', data: { chatId: CHAT, messageId: MSG, userId: 'bob', at: AT } },
  MessageUnliked: { type: 'MessageUnliked', data: { chatId: CHAT, messageId: MSG, userId: 'bob', at: AT } },
  MessagesRead: { type: 'MessagesRead', data: { chatId: CHAT, readerId: 'bob', senderId: 'alice', messageId: MSG, throughSeq: 1, at: AT } },
  RoomAnnounced: { type: 'RoomAnnounced', data: { chatId: CHAT, by: 'alice', at: AT } },
  InvitationSent: {
    type: 'InvitationSent',
    data: { inviteId: INVITE, inviterId: 'alice', inviteeId: 'bob', options: OPTIONS, clientId: CLIENT, at: AT, expiresAt: AT },
  },
  InvitationAccepted: {
    type: 'InvitationAccepted',
    data: { inviteId: INVITE, inviterId: 'alice', inviteeId: 'bob', gameId: GAME, options: OPTIONS, at: AT, endsAt: AT },
  },
  InvitationDeclined: { type: 'InvitationDeclined', data: { inviteId: INVITE, inviterId: 'alice', inviteeId: 'bob', at: AT } },
  InvitationCanceled: {
    type: 'InvitationCanceled',
    data: { inviteId: INVITE, inviterId: 'alice', inviteeId: 'bob', reason: 'canceled', clientId: CLIENT, at: AT },
  },
  GameEnded: { type: 'GameEnded', data: { gameId: GAME, players: ['alice', 'bob'], at: AT } },
  InvitationAbandoned: { type: 'InvitationAbandoned', data: { inviteId: INVITE, at: AT } },
  EngagementReserved: { type: 'EngagementReserved', data: { userId: 'alice', inviteId: INVITE, role: 'inviter', at: AT, holdUntil: AT, recentSince: AT } },
  EngagementReleased: { type: 'EngagementReleased', data: { userId: 'alice', inviteId: INVITE, at: AT } },
  ConnectionOpened: { type: 'ConnectionOpened', data: { userId: 'alice', connectionId: 'c1', nodeId: 'n1', at: AT } },
  ConnectionClosed: { type: 'ConnectionClosed', data: { userId: 'alice', connectionId: 'c1', at: AT } },
  UserWentOnline: { type: 'UserWentOnline', data: { userId: 'alice', at: AT } },
  UserWentOffline: { type: 'UserWentOffline', data: { userId: 'alice', reason: 'disconnected', at: AT } },
  ActivityRecorded: { type: 'ActivityRecorded', data: { userId: 'alice', at: AT } },
  NotificationRead: { type: 'NotificationRead', data: { userId: 'alice', notificationId: MSG, at: AT } },
  NotificationsMarkedRead: { type: 'NotificationsMarkedRead', data: { userId: 'alice', notificationIds: [MSG, INVITE], at: AT } },
  AllNotificationsRead: { type: 'AllNotificationsRead', data: { userId: 'alice', at: AT } },
  EphemeralNotificationSent: { type: 'EphemeralNotificationSent', data: { userId: 'alice', message: 'Saved', notificationType: 'info', at: AT } },
  FriendAdded: { type: 'FriendAdded', data: { userId: 'alice', friendId: 'bob', at: AT } },
  TournamentAnnounced: {
    type: 'TournamentAnnounced',
    data: { tournamentId: TOURNAMENT, name: 'Spring Cup', organizerId: 'alice', excludedUserIds: ['bob'], at: AT },
  },
};
