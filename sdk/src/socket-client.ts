import type { ActionData, ActionName, InviteOptions } from './actions.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Answer } from './calls.js';
import type { Clock } from './clock.js';
import { Emitter } from './emitter.js';
import { ChatActionError, ConnectionLostError } from './errors.js';
import { parseServerFrame, type FrameOf, type NewMessageData, type ServerFrame, type SocketLimits } from './frames.js';
import { tokenSubject } from './jwt.js';
import { Outbox } from './outbox.js';
import { randomUuid, type WebSocketConstructor, type WebSocketLike } from './platform.js';
import { Presence } from './presence.js';
import type { TokenSource } from './tokens.js';

export interface SocketOptions {
  /** `ws(s)://host/ws/events`. */
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly tokens: TokenSource;
  readonly clock: Clock;
  readonly random: () => number;
  readonly backoff?: BackoffOptions;
  /**
   * A ceiling on the pace, below the server's: the SDK sends at each socket's `ready.limits`
   * (`rate_per_second`, `burst`), or at most these when they are lower. Default: none.
   */
  readonly framesPerSecond?: number;
  readonly burst?: number;
  /** Where to resume from on the first connect (a position kept from an earlier session). */
  readonly since?: string;
  /**
   * `batched` (default): one `presence_state` per socket and coalesced `presence_diff` frames;
   * `frames`: the per-change `user_online` / `user_offline` frames. `presence` is kept from either.
   */
  readonly presence?: 'batched' | 'frames';
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SocketEvents {
  /** Every frame, except the answers to the SDK's calls (`ack`, and `error` with their `ref`) and a repeat of one of its messages' frames. */
  readonly frame: ServerFrame;
  /** A socket is set up; `position` is where the client stands; `limits` the pace the SDK keeps on it. */
  readonly ready: { readonly position: string; readonly username: string; readonly resumed: boolean; readonly limits: SocketLimits };
  /** Too much was missed to replay: reload your state over REST; live frames continue from `position`. */
  readonly resync: { readonly position: string };
  readonly presence: ReadonlySet<string>;
  readonly state: ConnectionState;
  readonly reconnecting: { readonly attempt: number; readonly delayMs: number; readonly code: number };
  /** The client stopped for good: `close()`, or a 3100 (a frame the server could not decode: a bug). */
  readonly closed: { readonly code: number; readonly reason: string };
}

/**
 * The WebSocket side: one socket at a time, reconnected with back-off, resumed from the last
 * position seen, with promise-returning actions answered by `ref` (see `Outbox`).
 */
export class ChatSocket extends Emitter<SocketEvents> {
  readonly presence = new Presence();
  /** This tab's id, sent as `client_id` with invitations. */
  readonly clientId = randomUuid();
  private ws: WebSocketLike | undefined;
  private position: string | undefined;
  private me: string | undefined;
  private attempt = 0;
  private stopped = false;
  private state: ConnectionState = 'idle';
  private forceToken = false;
  private reconnectNow = false;
  /** The socket a token refresh will close once its calls are answered. */
  private refreshing: WebSocketLike | undefined;
  private readonly outbox: Outbox;
  /** My messages not yet answered, by `client_msg_id`: whether their `new_message` frame was emitted. */
  private readonly messages = new Map<string, { frameSeen: boolean }>();
  private timers = { reconnect: undefined as unknown, refresh: undefined as unknown };
  private firstReady: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly o: SocketOptions) {
    super();
    this.position = o.since;
    this.outbox = new Outbox(o.clock, {
      ...(o.framesPerSecond === undefined ? {} : { perSecond: o.framesPerSecond }),
      ...(o.burst === undefined ? {} : { burst: o.burst }),
    });
  }

  /** The last position received: pass it as `since` to a later session to resume there. */
  get lastPosition(): string | undefined {
    return this.position;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The pace the SDK keeps: the last `ready`'s limits (under the `framesPerSecond` / `burst` ceiling). */
  get limits(): SocketLimits {
    return this.outbox.pace;
  }

  /** Opens the socket; resolves on its first `ready` (reconnecting meanwhile as needed). */
  connect(): Promise<void> {
    if (this.firstReady === undefined) {
      let resolve = () => {};
      const promise = new Promise<void>((r) => (resolve = r));
      this.firstReady = { promise, resolve };
      void this.open();
    }
    return this.firstReady.promise;
  }

  /** Closes for good: every pending call is rejected with `ConnectionLostError`. */
  close(): void {
    this.stop(1000, 'closed by the client');
  }

  /**
   * Resolves with the stored message (from its `ack`: `id`, `chat_id`, `date`, with what was
   * sent) once the server took it; re-sent with the same `client_msg_id` across reconnects, so it
   * is stored once. Pass your own `clientMsgId` (a uuid) to retry a rejected send just as safely.
   */
  sendMessage(chatId: string, content: string, clientMsgId: string = randomUuid()): Promise<NewMessageData> {
    const timestamp = new Date(this.o.clock.now()).toISOString();
    return new Promise((resolve, reject) => {
      this.messages.set(clientMsgId, { frameSeen: false });
      this.enqueue(
        'new_message',
        { chat_id: chatId, content, timestamp, client_msg_id: clientMsgId },
        {
          acked: (ack) => {
            this.messages.delete(clientMsgId);
            if (ack.id === undefined || ack.date === undefined)
              return reject(new ChatActionError('new_message', 'internal_error', 'the ack carries no message'));
            const sender = this.me ?? '';
            resolve({
              chat_id: ack.chat_id ?? chatId,
              id: ack.id,
              content: content.trim(),
              date: ack.date,
              sender,
              is_read: false,
              is_liked: false,
              timestamp,
              client_msg_id: clientMsgId,
            });
          },
          reject: (err) => {
            this.messages.delete(clientMsgId);
            reject(err);
          },
        },
      );
    });
  }

  like(chatId: string, messageId: string): Promise<void> {
    return this.call('like_message', { id: messageId, chat_id: chatId });
  }

  unlike(chatId: string, messageId: string): Promise<void> {
    return this.call('unlike_message', { id: messageId, chat_id: chatId });
  }

  /** Marks that message, and older ones from the same sender, read. */
  markRead(messageId: string, chatId?: string): Promise<void> {
    return this.call('read_message', chatId === undefined ? { id: messageId } : { id: messageId, chat_id: chatId });
  }

  invite(username: string, options?: InviteOptions): Promise<void> {
    return this.call('game_invite', { username, client_id: this.clientId, ...(options === undefined ? {} : { options }) });
  }

  acceptInvite(username: string): Promise<void> {
    return this.call('reply_game_invite', { username, accept: true });
  }

  declineInvite(username: string): Promise<void> {
    return this.call('reply_game_invite', { username, accept: false });
  }

  cancelInvite(username: string): Promise<void> {
    return this.call('cancel_game_invite', { username });
  }

  async addFriend(receiverId: string): Promise<void> {
    return this.call('add_new_friend', { sender_id: await this.myId(), receiver_id: receiverId });
  }

  async announceTournament(tournamentId: string, name: string): Promise<void> {
    return this.call('new_tournament', { tournament_id: tournamentId, tournament_name: name, organizer_id: await this.myId() });
  }

  readNotification(id: string): Promise<void> {
    return this.call('read_notification', { id });
  }

  /** An ephemeral notification to my own sockets. */
  notify(message: string, type: string): Promise<void> {
    return this.call('notification', { message, type });
  }

  joinChat(chatId: string): Promise<void> {
    return this.call('join_chat', { chat_id: chatId });
  }

  announceRoom(chatId: string): Promise<void> {
    return this.call('room_created', { chat_id: chatId });
  }

  /** Goes offline now (logout); the socket stays open. */
  async goOffline(): Promise<void> {
    await this.connect();
    return this.call('user_offline', { username: this.me ?? '' });
  }

  /** Any action, resolved by its `ack`, rejected by its `error` (`ChatActionError`). */
  call<A extends Exclude<ActionName, 'new_message'>>(action: A, data: ActionData<A>): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue(action, data, { acked: () => resolve(), reject }));
  }

  private async myId(): Promise<string> {
    const sub = tokenSubject(await this.o.tokens.current());
    if (sub === undefined) throw new Error('the token has no sub');
    return sub;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    this.setState(this.attempt === 0 && this.position === this.o.since ? 'connecting' : 'reconnecting');
    let token: string;
    try {
      token = await this.o.tokens.current(this.forceToken);
    } catch {
      return this.scheduleReconnect(0);
    }
    this.forceToken = false;
    if (this.stopped) return;
    const params = [
      `token=${encodeURIComponent(token)}`,
      ...(this.position === undefined ? [] : [`since=${encodeURIComponent(this.position)}`]),
      ...((this.o.presence ?? 'batched') === 'batched' ? ['presence=batched'] : []),
    ];
    const ws = new this.o.WebSocket(`${this.o.url}?${params.join('&')}`);
    this.ws = ws;
    ws.onmessage = (e) => {
      if (this.ws === ws) this.onFrame(typeof e.data === 'string' ? e.data : String(e.data));
    };
    ws.onclose = (e) => {
      if (this.ws === ws) this.onClose(e.code, e.reason);
    };
    ws.onerror = () => {};
  }

  private onFrame(text: string): void {
    const frame = parseServerFrame(text);
    if (frame === undefined) return;
    switch (frame.action) {
      case 'ack':
      case 'error':
        if (this.outbox.answer(frame)) return this.afterAnswer();
        break;
      case 'ready':
        this.onReady(frame);
        break;
      case 'resync_required':
        this.emit('resync', { position: frame.data.position });
        break;
      case 'new_message': {
        // A re-sent message can bring its frame again (the server acknowledges a repeat with the original): emit it once.
        const mine = frame.data.client_msg_id === undefined ? undefined : this.messages.get(frame.data.client_msg_id);
        if (mine?.frameSeen === true) return;
        if (mine !== undefined) mine.frameSeen = true;
        break;
      }
      case 'user_online':
      case 'user_offline':
      case 'presence_state':
      case 'presence_diff':
        if (this.presence.apply(frame)) this.emit('presence', this.presence.users);
        break;
    }
    if (frame.position !== undefined) this.position = frame.position;
    this.emit('frame', frame);
  }

  private onReady(frame: FrameOf<'ready'>): void {
    const resumed = this.position !== undefined;
    this.position = frame.data.position;
    this.me = frame.data.username;
    this.attempt = 0;
    this.setState('open');
    this.scheduleRefresh();
    // Calls the last socket left unanswered go first, with new refs; nothing is sent before `ready`.
    if (this.ws !== undefined) this.outbox.attach(this.ws, frame.data.limits);
    this.emit('ready', { position: frame.data.position, username: frame.data.username, resumed, limits: this.outbox.pace });
    this.firstReady?.resolve();
  }

  /** A token refresh waits for the calls in flight to be answered, so that none is lost to its close. */
  private afterAnswer(): void {
    const ws = this.refreshing;
    if (ws !== undefined && ws === this.ws && this.outbox.unanswered === 0) {
      this.refreshing = undefined;
      this.reconnectNow = true;
      ws.close(1000, 'token refresh');
    }
  }

  private enqueue(action: ActionName, data: Readonly<Record<string, unknown>>, answer: Answer): void {
    if (this.stopped) return answer.reject(new ConnectionLostError(action, 'the client is closed'));
    this.outbox.send(action, data, answer);
    if (this.state === 'idle') void this.connect();
  }

  private onClose(code: number, reason: string): void {
    this.ws = undefined;
    this.refreshing = undefined;
    this.o.clock.clearTimeout(this.timers.refresh);
    // Calls the server had not answered: repeatable ones wait for the next socket; the others' outcome is unknown.
    this.outbox.detach(code);
    if (this.stopped) return;
    if (code === 3100) return this.stop(code, reason);
    if (code === 3001) this.forceToken = true;
    const now = code === 3001 || this.reconnectNow;
    this.reconnectNow = false;
    this.scheduleReconnect(code, now);
  }

  private scheduleReconnect(code: number, now = false): void {
    if (this.stopped) return;
    this.setState('reconnecting');
    const delayMs = now ? 0 : backoffDelay(this.attempt++, this.o.random, this.o.backoff);
    this.emit('reconnecting', { attempt: this.attempt, delayMs, code });
    this.timers.reconnect = this.o.clock.setTimeout(() => void this.open(), delayMs);
  }

  /** Before the token's `exp`: a fresh token, and the socket reopened with it (resuming), so the server never closes it with 3001. */
  private scheduleRefresh(): void {
    this.o.clock.clearTimeout(this.timers.refresh);
    const at = this.o.tokens.refreshAt();
    // A token that is already within the margin (shorter-lived than it) is left to the server's 3001.
    if (at === undefined || at <= this.o.clock.now()) return;
    const ws = this.ws;
    this.timers.refresh = this.o.clock.setTimeout(() => {
      this.o.tokens.current(true).then(
        () => {
          if (this.ws !== ws || ws === undefined) return;
          this.refreshing = ws;
          this.outbox.hold();
          this.afterAnswer();
        },
        () => {
          // The application could not give a token now: the server's 3001 will come and be retried.
        },
      );
    }, at - this.o.clock.now());
  }

  private stop(code: number, reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of Object.values(this.timers)) this.o.clock.clearTimeout(t);
    const ws = this.ws;
    this.ws = undefined;
    if (ws !== undefined) ws.close(1000, reason.slice(0, 100));
    this.outbox.rejectAll(reason);
    this.setState('closed');
    this.emit('closed', { code, reason });
  }
}
