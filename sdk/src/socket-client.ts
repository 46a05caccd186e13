import type { ActionData, ActionName, InviteOptions } from './actions.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { IDEMPOTENT, isMessageCall, isOwnFrame, type Call, type MessageCall, type Segment } from './calls.js';
import type { Clock } from './clock.js';
import { Emitter } from './emitter.js';
import { ChatActionError, ConnectionLostError } from './errors.js';
import { parseServerFrame, type FrameOf, type NewMessageData, type ServerFrame } from './frames.js';
import { tokenSubject } from './jwt.js';
import { Pacer } from './pacer.js';
import { OPEN, randomUuid, type WebSocketConstructor, type WebSocketLike } from './platform.js';
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
  /** The SDK's own flood control (default 16 frames/s, bursts of 32: under the server's 20 and 40). */
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
  /** Every frame, except the answers the SDK consumes itself (barriers, errors of its calls). */
  readonly frame: ServerFrame;
  /** A socket is set up; `position` is where the client stands. */
  readonly ready: { readonly position: string; readonly username: string; readonly resumed: boolean };
  /** Too much was missed to replay: reload your state over REST; live frames continue from `position`. */
  readonly resync: { readonly position: string };
  readonly presence: ReadonlySet<string>;
  readonly state: ConnectionState;
  readonly reconnecting: { readonly attempt: number; readonly delayMs: number; readonly code: number };
  /** The client stopped for good: `close()`, or a 3100 (a frame the server could not decode: a bug). */
  readonly closed: { readonly code: number; readonly reason: string };
}

/** The barrier: `user_online` in a name that is not mine, answered by a `forbidden` error and nothing else. */
const barrierName = (me: string | undefined) => (me === '.' ? '..' : '.');

/**
 * The WebSocket side: one socket at a time, reconnected with back-off, resumed from the last
 * position seen, with promise-returning actions (see `Segment` for how answers are matched).
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
  /** Sending is held on a resumed socket until its replay is complete (the flush barrier answered). */
  private sendable = false;
  private readonly toSend: Call[] = [];
  private outstanding: Segment[] = [];
  private readonly messages = new Map<string, MessageCall>();
  private readonly pacer: Pacer;
  private timers = { reconnect: undefined as unknown, refresh: undefined as unknown, pump: undefined as unknown };
  private firstReady: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly o: SocketOptions) {
    super();
    this.position = o.since;
    this.pacer = new Pacer(o.clock, o.framesPerSecond ?? 16, o.burst ?? 32);
  }

  /** The last position received: pass it as `since` to a later session to resume there. */
  get lastPosition(): string | undefined {
    return this.position;
  }

  get connectionState(): ConnectionState {
    return this.state;
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

  /** Resolves with the stored message when its own `new_message` frame arrives; re-sent across reconnects until the server took it. */
  sendMessage(chatId: string, content: string): Promise<NewMessageData> {
    return new Promise((resolve, reject) => {
      const clientMsgId = randomUuid();
      const timestamp = new Date(this.o.clock.now()).toISOString();
      const call: MessageCall = {
        action: 'new_message',
        data: { chat_id: chatId, content, timestamp, client_msg_id: clientMsgId },
        clientMsgId,
        chatId,
        content: content.trim(),
        timestamp,
        sent: false,
        accepted: false,
        resolve: () => {},
        stored: (m) => {
          this.messages.delete(clientMsgId);
          resolve(m);
        },
        reject: (err) => {
          this.messages.delete(clientMsgId);
          reject(err);
        },
      };
      this.messages.set(clientMsgId, call);
      this.enqueue(call);
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

  /** Any action, resolved when the server took it (no `error` before the barrier). */
  call<A extends Exclude<ActionName, 'new_message' | 'user_online'>>(action: A, data: ActionData<A>): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ action, data, resolve, reject }));
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
      case 'error':
        if (this.onError(frame)) return;
        break;
      case 'ready':
        this.onReady(frame);
        break;
      case 'resync_required':
        this.onResync(frame);
        break;
      case 'new_message':
        for (const m of this.messages.values())
          if (isOwnFrame(m, frame.data, this.me)) {
            m.stored(frame.data);
            break;
          }
        break;
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
    this.emit('ready', { position: frame.data.position, username: frame.data.username, resumed });
    this.firstReady?.resolve();
    if ([...this.messages.values()].some((m) => m.sent)) {
      // Messages sent on an earlier socket: their frames may be in the replay; the barrier's answer comes after it.
      this.sendBarrier();
      this.outstanding.push({ call: undefined, errored: false });
    } else {
      this.sendable = true;
      this.pump();
    }
  }

  private onResync(frame: FrameOf<'resync_required'>): void {
    // The replay was skipped: a message the server took on the earlier socket will not show its frame.
    for (const m of [...this.messages.values()])
      if (m.accepted) m.reject(new ChatActionError('new_message', 'unavailable', 'stored, but its frame was skipped by resync_required: reload over REST'));
    this.emit('resync', { position: frame.data.position });
  }

  /** True when the error was the answer to a barrier or a call (consumed). */
  private onError(frame: FrameOf<'error'>): boolean {
    if (frame.data.code === 'rate_limited') {
      // Refused on arrival, out of turn: which frame it was cannot be told, so start over on a new socket.
      this.reconnectNow = true;
      this.ws?.close(4000, 'rate limited: resuming');
      return false;
    }
    const head = this.outstanding[0];
    if (head === undefined) return false;
    if (frame.data.for === 'user_online') {
      this.outstanding.shift();
      if (head.call === undefined) this.flushDone();
      else if (!head.errored) this.accept(head.call);
      return true;
    }
    if (head.call !== undefined && !head.errored && head.call.action === frame.data.for) {
      head.errored = true;
      head.call.reject(new ChatActionError(frame.data.for, frame.data.code, frame.data.msg));
      return true;
    }
    return false;
  }

  private accept(call: Call): void {
    if (isMessageCall(call)) call.accepted = true;
    else call.resolve();
  }

  /** The resumed socket's replay is complete: messages whose frame it did not show are sent again, then everything queued. */
  private flushDone(): void {
    const again = [...this.messages.values()].filter((m) => m.sent && !m.accepted);
    this.toSend.unshift(...again);
    this.sendable = true;
    this.pump();
  }

  private enqueue(call: Call): void {
    if (this.stopped) return call.reject(new ConnectionLostError(call.action, 'the client is closed'));
    this.toSend.push(call);
    if (this.state === 'idle') void this.connect();
    this.pump();
  }

  private pump(): void {
    const ws = this.ws;
    if (!this.sendable || ws === undefined || ws.readyState !== OPEN || this.timers.pump !== undefined) return;
    while (this.toSend.length > 0) {
      const wait = this.pacer.take(2);
      if (wait !== true) {
        this.timers.pump = this.o.clock.setTimeout(() => {
          this.timers.pump = undefined;
          this.pump();
        }, wait);
        return;
      }
      const call = this.toSend.shift() as Call;
      ws.send(JSON.stringify({ action: call.action, data: call.data }));
      this.sendBarrier();
      if (isMessageCall(call)) call.sent = true;
      this.outstanding.push({ call, errored: false });
    }
  }

  private sendBarrier(): void {
    this.ws?.send(JSON.stringify({ action: 'user_online', data: { username: barrierName(this.me) } }));
  }

  private onClose(code: number, reason: string): void {
    this.ws = undefined;
    this.sendable = false;
    this.o.clock.clearTimeout(this.timers.refresh);
    this.o.clock.clearTimeout(this.timers.pump);
    this.timers.pump = undefined;
    // Calls the server had not answered: messages wait for the next socket (replay, then re-send);
    // repeatable ones go again; the others' outcome is unknown.
    const unanswered = this.outstanding.flatMap((s) => (s.call === undefined || s.errored || isMessageCall(s.call) ? [] : [s.call]));
    this.outstanding = [];
    this.toSend.unshift(...unanswered.filter((c) => IDEMPOTENT.has(c.action)));
    for (const c of unanswered)
      if (!IDEMPOTENT.has(c.action)) c.reject(new ConnectionLostError(c.action, `the socket closed (${code}) before the server answered`));
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
          this.reconnectNow = true;
          ws.close(1000, 'token refresh');
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
    const pending = new Set<Call>([
      ...this.toSend,
      ...this.outstanding.flatMap((s) => (s.call === undefined || s.errored ? [] : [s.call])),
      ...this.messages.values(),
    ]);
    this.toSend.length = 0;
    this.outstanding = [];
    for (const c of pending) c.reject(new ConnectionLostError(c.action, reason));
    this.setState('closed');
    this.emit('closed', { code, reason });
  }
}
