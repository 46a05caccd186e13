import { send, userGroup } from '../broadcast/delivery.js';
import type { Actor, CommandDeps } from '../shared/deps.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { onInbox } from './inbox.js';

const readNotification: ActionHandler<'read_notification'> = async ({ deps, actor, correlationId }, data) => {
  const owned = await (await deps.lookups()).hasNotification(actor.userId, data.id);
  const at = deps.now().toISOString();
  return onInbox(deps, actor, { kind: 'ReadNotification', userId: actor.userId, notificationId: data.id, owned, at }, correlationId);
};

/**
 * `POST /api/notifications/mark_all_as_read`: the notifications unread when the request arrived
 * (the lookups include every event stored before it), named in the events, so that the read
 * models and the `notification_read` frames (live or replayed) read the same ones.
 */
export const markAllNotificationsRead = async (deps: CommandDeps, actor: Actor, correlationId: string) => {
  const unreadIds = await (await deps.lookups()).unreadNotificationIds(actor.userId);
  return onInbox(deps, actor, { kind: 'MarkAllNotificationsRead', userId: actor.userId, unreadIds, at: deps.now().toISOString() }, correlationId);
};

/** `notification_read` to every socket of the owner. */
const notificationsReadBy = (userId: string, ids: readonly string[], position: string) =>
  send(userGroup(userId), frameOf('notification_read', { ids }, position));

/** Stored notifications read, one or all at once. */
export const reading = {
  actions: { read_notification: readNotification },
  projections: {
    NotificationRead: (e) => [{ kind: 'MarkNotificationRead', userId: e.data.userId, notificationId: e.data.notificationId }],
    NotificationsMarkedRead: (e) => e.data.notificationIds.map((notificationId) => ({ kind: 'MarkNotificationRead', userId: e.data.userId, notificationId })),
    AllNotificationsRead: (e) => [{ kind: 'MarkAllNotificationsRead', userId: e.data.userId, at: e.data.at }],
  },
  frames: {
    NotificationRead: { deliveries: (e, { position }) => [notificationsReadBy(e.data.userId, [e.data.notificationId], position)] },
    NotificationsMarkedRead: { deliveries: (e, { position }) => [notificationsReadBy(e.data.userId, e.data.notificationIds, position)] },
    // `AllNotificationsRead` (older logs) names no notification: no frame.
  },
  describe: {
    NotificationRead: (e, u) => `${u(e.data.userId)} read notification ${e.data.notificationId}`,
    NotificationsMarkedRead: (e, u) => `${u(e.data.userId)} marked ${e.data.notificationIds.length} notification(s) read`,
    AllNotificationsRead: (e, u) => `${u(e.data.userId)} marked every notification read`,
  },
} satisfies Feature;
