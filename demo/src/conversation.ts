import type { Chat, ChatClient, ChatMessage } from '../../sdk/src/index.js';
import { button, byId, guarded, make } from './dom.js';
import type { Invitations } from './invitations.js';
import { showPresence, type PresenceBoard } from './presence-board.js';

/** The open chat: its messages (oldest first), sending, likes, read marks, invitations and blocking. */
export class Conversation {
  private chat: Chat | undefined;
  private readonly messages = new Map<string, ChatMessage>();

  constructor(
    private readonly client: ChatClient,
    private readonly presence: PresenceBoard,
    private readonly invitations: Invitations,
    /** Something changed that the chat list shows (unread counts). */
    private readonly changed: () => void,
  ) {}

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

  /** Marks the message, and the peer's older ones, read. */
  private async markRead(m: ChatMessage): Promise<void> {
    const chat = this.current();
    await this.client.markRead(m.id, chat.chat_id);
    for (const other of this.messages.values()) {
      if (other.sender === m.sender && other.date <= m.date) this.messages.set(other.id, { ...other, is_read: true });
    }
    this.render();
    this.changed();
  }

  async block(blocked: boolean): Promise<void> {
    const chat = this.current();
    await (blocked ? this.client.rest.block(chat.username) : this.client.rest.unblock(chat.username));
    // Not reopened: the server refuses to open a chat while one side blocks the other.
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
    byId('invite').hidden = invitation.outgoing || invitation.incoming;
    byId('cancel-invite').hidden = !invitation.outgoing;
    byId('accept-invite').hidden = !invitation.incoming;
    byId('decline-invite').hidden = !invitation.incoming;
    const sorted = [...this.messages.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
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
      if (!m.is_read)
        li.append(
          button(
            'Mark read',
            'mark-read',
            guarded(() => this.markRead(m)),
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
