import type { ActionName } from './actions.js';
import { RESENDABLE, type Answer, type Call } from './calls.js';
import type { Clock } from './clock.js';
import { ChatActionError, ConnectionLostError } from './errors.js';
import type { FrameOf, SocketLimits } from './frames.js';
import { Pacer } from './pacer.js';
import { OPEN, type WebSocketLike } from './platform.js';

/** Used when a `ready` carries no limits (a server older than them): under the server's own defaults (20/s, bursts of 40). */
export const DEFAULT_LIMITS: SocketLimits = { rate_per_second: 16, burst: 32, max_frame_bytes: 64 * 1024 };

const positive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
const validLimits = (l: SocketLimits | undefined): l is SocketLimits =>
  l !== undefined && positive(l.rate_per_second) && positive(l.burst) && positive(l.max_frame_bytes);

/** An upper bound the application sets on the pace, below what the server allows. */
export interface Ceiling {
  readonly perSecond?: number;
  readonly burst?: number;
}

/**
 * The calls of a client: queued in call order, sent on the current ready socket each with a
 * fresh `ref`, paced by that socket's limits (see `Pacer`: at most `burst` unanswered, so the
 * server's queue of frames waiting to be handled stays within its bound too), and settled by the
 * `ack` or `error` carrying their `ref`, never by order or content.
 */
export class Outbox {
  /** Sorted by `seq`. */
  private queue: Call[] = [];
  /** By ref: the call and its frame's number on this socket. */
  private readonly inFlight = new Map<string, { readonly call: Call; readonly frame: number }>();
  private ws: WebSocketLike | undefined;
  private pacer: Pacer;
  private limits: SocketLimits = DEFAULT_LIMITS;
  private timer: unknown;
  private seq = 0;
  private refs = 0;
  /** Set while a token refresh waits for the calls in flight: nothing new is sent. */
  private held = false;

  constructor(
    private readonly clock: Clock,
    private readonly ceiling: Ceiling = {},
  ) {
    this.pacer = this.newPacer();
  }

  /** The pace in force: the last `ready`'s limits, under the application's ceiling. */
  get pace(): SocketLimits {
    return { ...this.limits, rate_per_second: this.pacer.perSecond, burst: this.pacer.burst };
  }

  get unanswered(): number {
    return this.inFlight.size;
  }

  /** Queues a call; it is sent as soon as a socket is ready and the pace allows. */
  send(action: ActionName, data: Readonly<Record<string, unknown>>, answer: Answer): void {
    this.queue.push({ seq: this.seq++, action, data, ...answer });
    this.pump();
  }

  /** A socket is ready: a fresh bucket at its limits (the server's starts full with each socket too). */
  attach(ws: WebSocketLike, limits: SocketLimits | undefined): void {
    if (validLimits(limits)) this.limits = limits;
    this.pacer = this.newPacer();
    this.ws = ws;
    this.held = false;
    this.pump();
  }

  /** Sends nothing more on this socket (it is about to be replaced). */
  hold(): void {
    this.held = true;
  }

  /** The socket closed: calls it had not answered are queued again when repeatable, rejected otherwise (outcome unknown). */
  detach(code: number): void {
    this.ws = undefined;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const unanswered = [...this.inFlight.values()].map((f) => f.call);
    this.inFlight.clear();
    this.requeue(unanswered.filter((c) => RESENDABLE.has(c.action)));
    for (const c of unanswered)
      if (!RESENDABLE.has(c.action)) c.reject(new ConnectionLostError(c.action, `the socket closed (${code}) before the server answered`));
  }

  /** Settles the call an `ack` or `error` answers; false when it answers no call of ours. */
  answer(frame: FrameOf<'ack'> | FrameOf<'error'>): boolean {
    const ref = frame.ref;
    const sent = ref === undefined ? undefined : this.inFlight.get(ref);
    if (ref === undefined || sent === undefined) return false;
    this.inFlight.delete(ref);
    this.pacer.answered(sent.frame);
    const { call } = sent;
    if (frame.action === 'ack') call.acked(frame.data);
    else if (frame.data.code === 'rate_limited') {
      // Refused on arrival, so not handled: it goes again, on its own, once the pause the limits give has passed.
      this.pacer.backOff();
      this.requeue([call]);
    } else call.reject(new ChatActionError(frame.data.for, frame.data.code, frame.data.msg));
    this.pump();
    return true;
  }

  /** The client is closed: every call still waiting is rejected. */
  rejectAll(reason: string): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const all = [...[...this.inFlight.values()].map((f) => f.call), ...this.queue];
    this.inFlight.clear();
    this.queue = [];
    this.ws = undefined;
    for (const c of all) c.reject(new ConnectionLostError(c.action, reason));
  }

  private requeue(calls: readonly Call[]): void {
    if (calls.length === 0) return;
    this.queue.push(...calls);
    this.queue.sort((a, b) => a.seq - b.seq);
  }

  private newPacer(): Pacer {
    const { perSecond = Infinity, burst = Infinity } = this.ceiling;
    return new Pacer(this.clock, Math.min(this.limits.rate_per_second, perSecond), Math.max(1, Math.floor(Math.min(this.limits.burst, burst))));
  }

  private pump(): void {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== OPEN || this.held || this.timer !== undefined) return;
    for (let call = this.queue[0]; call !== undefined; call = this.queue[0]) {
      const ref = this.refs.toString(36);
      const text = JSON.stringify({ action: call.action, ref, data: call.data });
      if (text.length * 3 > this.limits.max_frame_bytes && new TextEncoder().encode(text).length > this.limits.max_frame_bytes) {
        // It would close the socket (1009), and, re-sent, the next one too.
        this.queue.shift();
        call.reject(new RangeError(`${call.action}: the frame is larger than the server's ${this.limits.max_frame_bytes} bytes`));
        continue;
      }
      const wait = this.pacer.wait();
      // Undefined: `burst` frames are unanswered; the next answer pumps again.
      if (wait === undefined) return;
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      this.refs++;
      this.inFlight.set(ref, { call, frame: this.pacer.sent() });
      ws.send(text);
    }
  }
}
