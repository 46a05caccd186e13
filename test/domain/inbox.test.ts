import { inboxDecider, type InboxCommand, type InboxEvent } from '../../src/domain/inbox/inbox.js';
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

  it('marks all notifications read', () => {
    inbox
      .given([notificationRead(N1)])
      .when({ kind: 'MarkAllNotificationsRead', userId: U, at: at(10) })
      .then([{ type: 'AllNotificationsRead', data: { userId: U, at: at(10) } }]);
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
