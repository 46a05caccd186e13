import type { ChatClient, ChatPreview } from '../../sdk/src/index.js';
import { byId, guarded, make } from './dom.js';
import { showPresence, type PresenceBoard } from './presence-board.js';

/** My chats, each with its unread count and the peer's presence; a click opens it. */
export class ChatList {
  private chats: readonly ChatPreview[] = [];
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: ChatClient,
    private readonly presence: PresenceBoard,
    private readonly open: (username: string) => Promise<void>,
  ) {}

  async reload(): Promise<void> {
    const page = await this.client.rest.chats({ limit: 100 });
    this.chats = page.items;
    for (const c of this.chats) this.presence.set(c.username, c.is_online);
    this.render();
  }

  /** Coalesces the reloads a burst of frames asks for. */
  reloadSoon(): void {
    if (this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      guarded(() => this.reload())();
    }, 100);
  }

  render(): void {
    const list = byId<HTMLUListElement>('chats');
    list.replaceChildren(
      ...this.chats.map((c) => {
        const item = make('li', 'chat');
        item.dataset['username'] = c.username;
        const presence = make('span', 'presence');
        showPresence(presence, this.presence.isOnline(c.username));
        const unread = make('span', c.unread_messages_count > 0 ? 'badge unread' : 'badge unread zero', String(c.unread_messages_count));
        const last = make('span', 'last', c.last_message?.content ?? '');
        item.append(make('span', 'name', c.username === '' ? c.nickname : c.username), presence, unread, last);
        item.addEventListener(
          'click',
          guarded(() => this.open(c.username)),
        );
        return item;
      }),
    );
  }
}
