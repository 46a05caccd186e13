import type { ChatClient, Notification } from '../../sdk/src/index.js';
import { byId, guarded, make } from './dom.js';

const describe = (n: Notification): string => {
  switch (n.action) {
    case 'game_invite':
      return `${n.data.username} invited you to Pong`;
    case 'new_friend':
      return `${n.data.username} added you as a friend`;
    case 'new_tournament':
      return `Tournament “${n.data.tournament_name}” by ${n.data.creator}`;
  }
};

/**
 * My latest notifications and the unread count: a click reads one, a button reads them all, and
 * every tab follows what any of them (or an answered invitation) read (`notification_read`).
 */
export class Notifications {
  constructor(private readonly client: ChatClient) {
    byId('mark-all-read').addEventListener(
      'click',
      guarded(() => this.markAllRead()),
    );
  }

  async reload(): Promise<void> {
    const [latest, unread] = await Promise.all([this.client.rest.notifications({ limit: 20 }), this.client.rest.notifications({ isRead: 'unread', limit: 1 })]);
    const count = byId('notification-count');
    count.textContent = String(unread.count);
    count.classList.toggle('zero', unread.count === 0);
    byId('notification-list').replaceChildren(
      ...latest.items.map((n) => {
        const li = make('li', `notification ${n.is_read ? 'read' : 'unread'}`, describe(n));
        li.dataset['id'] = n.id;
        if (!n.is_read) {
          li.title = 'Mark read';
          li.addEventListener(
            'click',
            guarded(() => this.client.readNotification(n.id)),
          );
        }
        return li;
      }),
    );
  }

  /** `notification_read`: shown read at once, then the list and the count as the server has them. */
  read(ids: readonly string[]): void {
    for (const li of byId('notification-list').querySelectorAll<HTMLElement>('li.notification.unread')) {
      if (li.dataset['id'] !== undefined && ids.includes(li.dataset['id'])) li.className = 'notification read';
    }
    guarded(() => this.reload())();
  }

  /**
   * After a frame that comes with a notification: now, and once more a second later, since the
   * notification is stored by a follow-up of the frame's event and may not be readable yet.
   */
  reloadSoon(): void {
    guarded(() => this.reload())();
    setTimeout(
      guarded(() => this.reload()),
      1000,
    );
  }

  async markAllRead(): Promise<void> {
    await this.client.rest.markAllNotificationsRead();
    await this.reload();
  }
}
