import type { Chat, ChatClient, ChatMessage } from '../../sdk/src/index.js';
import { button, byId, guarded, make } from './dom.js';
import type { Invitations } from './invitations.js';
import { showPresence, type PresenceBoard } from './presence-board.js';

const byDate = (a: ChatMessage, b: ChatMessage): number => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);

/**
 * The open chat: its messages (oldest first), sending, likes, read marks, invitations and
 * blocking. While the tab is visible, the peer's messages shown are marked read; read marks and
 * blocks follow the server's frames (`chat_read_update`, `block_update`), from either side.
 */
export class Conversation {
  private chat: Chat | undefined;
  private readonly messages = new Map<string, ChatMessage>();
  /** The newest message this tab asked to mark read (each is asked once). */
  private readRequested: string | undefined;

  constructor(
    private readonly client: ChatClient,
    private readonly presence: PresenceBoard,
    private readonly invitations: Invitations,
    /** Something changed that the chat list shows (unread counts). */
    private readonly changed: () => void,
  ) {
    document.addEventListener(
      'visibilitychange',
      guarded(() => this.markShownRead()),
    );
  }

  get peer(): string | undefined {
    return this.chat?.username;
  }

  get chatId(): string | undefined {
    return this.chat?.chat_id;
  }

  async open(username: string): Promise<void> {
    const chat = await this.client.rest.openChat(username);
    this.chat = chat;
    this.presence.set(chat.username, chat.is_online);
    this.messages.clear();
    for (const m of [...chat.messages].reverse()) this.messages.set(m.id, m);
    byId('conversation').hidden = false;
    this.render();
    this.changed();
    await this.markShownRead();
  }

  /** Reloads the open chat (after a resync, or a block). */
  async reload(): Promise<void> {
    if (this.chat !== undefined) await this.open(this.chat.username);
  }

  /** A message of any chat: kept when it is this one's (once, by id). */
  received(chatId: string, message: ChatMessage): void {
    if (chatId !== this.chat?.chat_id) return;
    this.messages.set(message.id, { ...this.messages.get(message.id), ...message });
    this.render();
    if (message.sender === this.chat.username) guarded(() => this.markShownRead())();
  }

  /** `chat_read_update`: `reader` read the other member's messages up to `id` (the peer read mine, or I did in some tab). */
  readUpTo(chatId: string, reader: string, id: string): void {
    if (chatId !== this.chat?.chat_id) return;
    const last = this.messages.get(id);
    // Not among those shown (older than the last 30, or not received yet): ask the server.
    if (last === undefined) return guarded(() => this.reload())();
    for (const m of this.messages.values()) if (m.sender !== reader && !m.is_read && m.date <= last.date) this.messages.set(m.id, { ...m, is_read: true });
    this.render();
  }

  /** `block_update`: the two flags of my chat with `username`, as they stand now. */
  blockChanged(username: string, isBlockedUser: boolean, isBlockedByUser: boolean): void {
    if (this.chat === undefined || this.chat.username !== username) return;
    this.chat = { ...this.chat, is_blocked_user: isBlockedUser, is_blocked_by_user: isBlockedByUser };
    this.render();
  }

  liked(chatId: string, id: string, isLiked: boolean): void {
    const m = this.messages.get(id);
    if (chatId !== this.chat?.chat_id || m === undefined) return;
    this.messages.set(id, { ...m, is_liked: isLiked });
    this.render();
  }

  async send(content: string): Promise<void> {
    const chat = this.current();
    const stored = await this.client.sendMessage(chat.chat_id, content);
    this.received(stored.chat_id, stored);
  }

  private async like(m: ChatMessage): Promise<void> {
    const chat = this.current();
    await (m.is_liked ? this.client.unlike(chat.chat_id, m.id) : this.client.like(chat.chat_id, m.id));
  }

  /**
   * Marks the newest of the peer's messages shown read (the server reads the older ones with
   * it), when someone can see them: the tab is visible. The marks follow from the frame.
   */
  private async markShownRead(): Promise<void> {
    const chat = this.chat;
    if (chat === undefined || document.visibilityState !== 'visible') return;
    const newest = [...this.messages.values()]
      .filter((m) => m.sender === chat.username && !m.is_read)
      .sort(byDate)
      .at(-1);
    if (newest === undefined || newest.id === this.readRequested) return;
    this.readRequested = newest.id;
    try {
      await this.client.markRead(newest.id, chat.chat_id);
    } catch (err) {
      this.readRequested = undefined;
      throw err;
    }
  }

  async block(blocked: boolean): Promise<void> {
    const chat = this.current();
    await (blocked ? this.client.rest.block(chat.username) : this.client.rest.unblock(chat.username));
    // Not reopened: the server refuses to open a chat while one side blocks the other; `block_update` follows.
    this.chat = { ...chat, is_blocked_user: blocked };
    this.render();
    this.changed();
  }

  async invite(): Promise<void> {
    const peer = this.current().username;
    await this.client.invite(peer);
    this.invitations.sent(peer);
    this.render();
  }

  async cancelInvite(): Promise<void> {
    const peer = this.current().username;
    await this.client.cancelInvite(peer);
    this.invitations.canceled(peer);
    this.render();
  }

  async answerInvite(accept: boolean): Promise<void> {
    const peer = this.current().username;
    await (accept ? this.client.acceptInvite(peer) : this.client.declineInvite(peer));
    this.invitations.answered(peer, accept);
    this.render();
  }

  render(): void {
    const chat = this.chat;
    if (chat === undefined) return;
    byId('peer-name').textContent = chat.username === '' ? chat.nickname : chat.username;
    showPresence(byId('peer-presence'), this.presence.isOnline(chat.username));
    byId('block-state').textContent = chat.is_blocked_user ? 'You blocked them' : chat.is_blocked_by_user ? 'They blocked you' : '';
    byId('block').hidden = chat.is_blocked_user;
    byId('unblock').hidden = !chat.is_blocked_user;
    const invitation = this.invitations.view(chat.username);
    byId('invite-state').textContent = invitation.status;
    byId('invite').hidden = invitation.outgoing || invitation.incoming || invitation.engaged;
    byId('cancel-invite').hidden = !invitation.outgoing;
    byId('accept-invite').hidden = !invitation.incoming;
    byId('decline-invite').hidden = !invitation.incoming;
    const sorted = [...this.messages.values()].sort(byDate);
    byId('messages').replaceChildren(...sorted.map((m) => this.item(m, chat.username)));
  }

  private item(m: ChatMessage, peer: string): HTMLLIElement {
    const theirs = m.sender === peer;
    const li = make('li', `message ${theirs ? 'theirs' : 'mine'}${m.is_read ? ' read' : ' unread'}${m.is_liked ? ' liked' : ''}`);
    li.dataset['id'] = m.id;
    li.append(make('span', 'sender', m.sender), make('span', 'content', m.content));
    const meta = make('span', 'meta', `${new Date(m.date).toLocaleTimeString()} · ${m.is_read ? 'read' : 'unread'}${m.is_liked ? ' · ♥' : ''}`);
    li.append(meta);
    if (theirs) {
      li.append(
        button(
          m.is_liked ? 'Unlike' : 'Like',
          'like',
          guarded(() => this.like(m)),
        ),
      );
    }
    return li;
  }

  private current(): Chat {
    if (this.chat === undefined) throw new Error('open a chat first');
    return this.chat;
  }
}
