import type { Feature, ActionHandler } from '../shared/feature.js';
import type { Actor, CommandDeps } from '../shared/deps.js';
import { onInbox } from './inbox.js';

const readNotification: ActionHandler<'read_notification'> = async ({ deps, actor, correlationId }, data) => {
  const owned = await (await deps.lookups()).hasNotification(actor.userId, data.id);
  const at = deps.now().toISOString();
  return onInbox(deps, actor, { kind: 'ReadNotification', userId: actor.userId, notificationId: data.id, owned, at }, correlationId);
};

/** `POST /api/notifications/mark_all_as_read`. */
export const markAllNotificationsRead = (deps: CommandDeps, actor: Actor, correlationId: string) =>
  onInbox(deps, actor, { kind: 'MarkAllNotificationsRead', userId: actor.userId, at: deps.now().toISOString() }, correlationId);

/** Stored notifications read, one or all at once. */
export const reading = {
  actions: { read_notification: readNotification },
  projections: {
    NotificationRead: (e) => [{ kind: 'MarkNotificationRead', userId: e.data.userId, notificationId: e.data.notificationId }],
    AllNotificationsRead: (e) => [{ kind: 'MarkAllNotificationsRead', userId: e.data.userId, at: e.data.at }],
  },
  describe: {
    NotificationRead: (e, u) => `${u(e.data.userId)} read notification ${e.data.notificationId}`,
    AllNotificationsRead: (e, u) => `${u(e.data.userId)} marked every notification read`,
  },
} satisfies Feature;
