import { Set as ISet } from 'immutable';
import * as t from 'io-ts';
import type { Decider } from '../shared/decider.js';
import { refuse } from '../shared/decision.js';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

/**
 * A user's notification inbox. Stored notifications themselves are derived by a projection
 * from the events that cause them (invitations, friendships, tournaments); the inbox records
 * what the user did with them, and ephemeral notifications meant for their own sockets.
 */
export const NotificationRead = defineEvent('NotificationRead', t.readonly(t.type({ userId: t.string, notificationId: t.string, at: t.string })));
export const AllNotificationsRead = defineEvent('AllNotificationsRead', t.readonly(t.type({ userId: t.string, at: t.string })));
export const EphemeralNotificationSent = defineEvent(
  'EphemeralNotificationSent',
  t.readonly(t.type({ userId: t.string, message: t.string, notificationType: t.string, at: t.string })),
  // The user's own words, like a message's content.
  { personal: { message: { owner: 'userId' } } },
);
export const inboxEvents = EventSet.of(NotificationRead).and(AllNotificationsRead).and(EphemeralNotificationSent);
export type InboxEvent = EventOf<(typeof inboxEvents.specs)[number]>;

export type InboxCommand =
  | { readonly kind: 'ReadNotification'; readonly userId: string; readonly notificationId: string; readonly owned: boolean; readonly at: string }
  | { readonly kind: 'MarkAllNotificationsRead'; readonly userId: string; readonly at: string }
  | { readonly kind: 'SendEphemeralNotification'; readonly userId: string; readonly message: string; readonly notificationType: string; readonly at: string };

export interface InboxState {
  readonly read: ISet<string>;
}

export const inboxDecider: Decider<InboxCommand, InboxState, InboxEvent> = {
  events: inboxEvents,
  initialState: { read: ISet() },
  decide: (c, s) => {
    switch (c.kind) {
      case 'ReadNotification':
        if (!c.owned) return refuse('notification_not_found', 'No such notification');
        return s.read.has(c.notificationId) ? [] : [{ type: 'NotificationRead', data: { userId: c.userId, notificationId: c.notificationId, at: c.at } }];
      case 'MarkAllNotificationsRead':
        return [{ type: 'AllNotificationsRead', data: { userId: c.userId, at: c.at } }];
      case 'SendEphemeralNotification':
        return [{ type: 'EphemeralNotificationSent', data: { userId: c.userId, message: c.message, notificationType: c.notificationType, at: c.at } }];
    }
  },
  evolve: (s, e) => (e.type === 'NotificationRead' ? { read: s.read.add(e.data.notificationId) } : s),
  sizeOf: (s) => 100 + s.read.size * 110,
};

export const inboxStream = (userId: string): string => `inbox-${userId}`;
