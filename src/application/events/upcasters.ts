import type { JsonObject } from '../../domain/shared/json.js';
import type { KnownEventType } from './event-codecs.js';

/**
 * Event schema versions. An event type's version rises when its data changes shape; the
 * upcasters below turn each older shape into the next, so replay reads every version.
 */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<KnownEventType, number>> = {
  UserRegistered: 1,
  UserProfileUpdated: 1,
  UserBlocked: 1,
  UserUnblocked: 1,
  ChatCreated: 1,
  MessageSent: 1,
  MessageLiked: 1,
  MessageUnliked: 1,
  MessagesRead: 1,
  RoomAnnounced: 1,
  InvitationSent: 1,
  InvitationAccepted: 1,
  InvitationDeclined: 1,
  InvitationCanceled: 1,
  GameEnded: 1,
  ConnectionOpened: 1,
  ConnectionClosed: 1,
  UserWentOnline: 1,
  UserWentOffline: 1,
  ActivityRecorded: 1,
  NotificationRead: 1,
  AllNotificationsRead: 1,
  EphemeralNotificationSent: 1,
  FriendAdded: 1,
  TournamentAnnounced: 1,
};

/** `UPCASTERS[type][v]` turns version v data into version v + 1. */
export const UPCASTERS: Partial<Record<KnownEventType, Readonly<Record<number, (data: JsonObject) => JsonObject>>>> = {};

export const upcast = (type: KnownEventType, version: number, data: JsonObject): JsonObject => {
  let current = data;
  for (let v = version; v < CURRENT_SCHEMA_VERSION[type]; v++) {
    const step = UPCASTERS[type]?.[v];
    if (step === undefined) throw new Error(`No upcaster for ${type} v${v}`);
    current = step(current);
  }
  return current;
};
