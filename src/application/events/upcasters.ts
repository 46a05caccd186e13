import type { JsonObject } from '../../domain/shared/json.js';
import type { KnownEventType } from './event-codecs.js';

/**
 * Event schema versions. An event type's version rises when its data changes shape; the
 * upcasters below turn each older shape into the next, so replay reads every version.
 */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<KnownEventType, number>> = {
  UserRegistered: 1,
  UserProfileUpdated: 1,
  UsernameClaimed: 1,
  UserBlocked: 1,
  UserUnblocked: 1,
  ChatCreated: 2,
  MessageSent: 2,
  MessageLiked: 1,
  MessageUnliked: 1,
  MessagesRead: 1,
  RoomAnnounced: 1,
  InvitationSent: 1,
  InvitationAccepted: 1,
  InvitationDeclined: 1,
  InvitationCanceled: 1,
  GameEnded: 1,
  InvitationAbandoned: 1,
  EngagementReserved: 1,
  EngagementReleased: 1,
  ConnectionOpened: 1,
  ConnectionClosed: 1,
  UserWentOnline: 1,
  UserWentOffline: 1,
  ActivityRecorded: 1,
  NotificationRead: 1,
  AllNotificationsRead: 1,
  EphemeralNotificationSent: 1,
  FriendAdded: 1,
  TournamentAnnounced: 2,
};

const str = (data: JsonObject, key: string): string => {
  const v = data[key];
  return typeof v === 'string' ? v : '';
};

/** `UPCASTERS[type][v]` turns version v data into version v + 1. */
export const UPCASTERS: Partial<Record<KnownEventType, Readonly<Record<number, (data: JsonObject) => JsonObject>>>> = {
  /** v1 named the two members `userA`/`userB`; v2 keeps them as a pair and records who opened the chat. */
  ChatCreated: {
    1: (d) => ({ chatId: str(d, 'chatId'), members: [str(d, 'userA'), str(d, 'userB')], createdBy: str(d, 'userA'), at: str(d, 'at') }),
  },
  /** v1 did not echo the sender's own timestamp; the server time is the best stand-in. */
  MessageSent: {
    1: (d) => ({ ...d, clientTimestamp: str(d, 'date') }),
  },
  /** v1 reached every user but the organizer: blocks were not applied to announcements then. */
  TournamentAnnounced: {
    1: (d) => ({ ...d, excludedUserIds: [] }),
  },
};

export const upcast = (type: KnownEventType, version: number, data: JsonObject): JsonObject => {
  let current = data;
  for (let v = version; v < CURRENT_SCHEMA_VERSION[type]; v++) {
    const step = UPCASTERS[type]?.[v];
    if (step === undefined) throw new Error(`No upcaster for ${type} v${v}`);
    current = step(current);
  }
  return current;
};
