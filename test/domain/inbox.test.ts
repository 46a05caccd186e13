import { inboxDecider, MARKED_READ_PER_EVENT, type InboxCommand, type InboxEvent } from '../../src/domain/inbox/inbox.js';
import { at, scenario } from './given-when-then.js';

const U = 'alice-id';
const N1 = '0b8f2a52-2d5c-4c39-8d7f-3f1b6f0a0c01';
const N2 = '0b8f2a52-2d5c-4c39-8d7f-3f1b6f0a0c02';

const inbox = scenario(inboxDecider);

const readNotification = (notificationId: string, owned = true, atS = 0): InboxCommand => ({
  kind: 'ReadNotification',
  userId: U,
  notificationId,
  owned,
  at: at(atS),
});
const notificationRead = (notificationId: string, atS = 0): InboxEvent => ({ type: 'NotificationRead', data: { userId: U, notificationId, at: at(atS) } });

describe('inbox decider', () => {
  it('marks an owned notification read', () => {
    inbox
      .given([])
      .when(readNotification(N1))
      .then([notificationRead(N1)]);
  });

  it('refuses a notification the user does not own (notification_not_found)', () => {
    inbox.given([]).when(readNotification(N1, false)).thenRefused('notification_not_found');
  });

  it('reading a notification twice is a no-op', () => {
    inbox
      .given([notificationRead(N1)])
      .when(readNotification(N1, true, 5))
      .thenNothing();
  });

  it('reads are per notification', () => {
    inbox
      .given([notificationRead(N1)])
      .when(readNotification(N2, true, 5))
      .then([notificationRead(N2, 5)]);
  });

  const markAll = (unreadIds: readonly string[], atS = 10): InboxCommand => ({ kind: 'MarkAllNotificationsRead', userId: U, unreadIds, at: at(atS) });
  const markedRead = (notificationIds: readonly string[], atS = 10): InboxEvent => ({
    type: 'NotificationsMarkedRead',
    data: { userId: U, notificationIds, at: at(atS) },
  });

  it('marks all notifications read, naming those it read (not those read already, each once)', () => {
    inbox
      .given([notificationRead(N1)])
      .when(markAll([N1, N2, N2]))
      .then([markedRead([N2])]);
  });

  it('mark all with nothing unread stores nothing', () => {
    inbox
      .given([notificationRead(N1)])
      .when(markAll([N1]))
      .thenNothing();
    inbox.given([]).when(markAll([])).thenNothing();
  });

  it(`a larger inbox is marked read in events of at most ${MARKED_READ_PER_EVENT} ids`, () => {
    const ids = Array.from({ length: 2 * MARKED_READ_PER_EVENT + 1 }, (_, i) => `n-${i}`);
    inbox
      .given([])
      .when(markAll(ids))
      .then([
        markedRead(ids.slice(0, MARKED_READ_PER_EVENT)),
        markedRead(ids.slice(MARKED_READ_PER_EVENT, 2 * MARKED_READ_PER_EVENT)),
        markedRead(ids.slice(-1)),
      ]);
  });

  it('notifications marked read are read: reading one again, or marking all again, stores nothing', () => {
    inbox
      .given([markedRead([N1, N2])])
      .when(readNotification(N2, true, 11))
      .thenNothing()
      .when(markAll([N1, N2], 12))
      .thenNothing();
  });

  it("sends an ephemeral notification to the user's own sockets", () => {
    inbox
      .given([])
      .when({ kind: 'SendEphemeralNotification', userId: U, message: 'hello me', notificationType: 'info', at: at(3) })
      .then([{ type: 'EphemeralNotificationSent', data: { userId: U, message: 'hello me', notificationType: 'info', at: at(3) } }]);
  });

  it('replaying the emitted events gives the state later decisions rely on', () => {
    inbox
      .given([])
      .when(readNotification(N1, true, 0))
      .then([notificationRead(N1, 0)])
      .when(readNotification(N1, true, 1))
      .thenNothing()
      .when(readNotification(N2, true, 2))
      .then([notificationRead(N2, 2)])
      .when(readNotification(N2, true, 3))
      .thenNothing();
  });
});
