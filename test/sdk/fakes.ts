import type { Clock } from '../../sdk/src/clock.js';
import type { ErrorCode, SocketLimits } from '../../sdk/src/frames.js';
import type { WebSocketLike } from '../../sdk/src/platform.js';

/** A frame the SDK sent, as parsed by the fake. */
export interface SentFrame {
  readonly action: string;
  readonly ref?: unknown;
  readonly data: Record<string, unknown>;
}

/** The server's defaults (WS_RATE_PER_SECOND 20, WS_RATE_BURST 40, 64 KiB frames). */
export const SERVER_LIMITS: SocketLimits = { rate_per_second: 20, burst: 40, max_frame_bytes: 65_536 };

/** A clock the test moves by hand: timers run when `advance` passes their time. */
export class FakeClock implements Clock {
  private t = Date.parse('2026-01-01T00:00:00.000Z');
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  /** Every delay asked for, in order. */
  readonly delays: number[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.delays.push(ms);
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Moves time on by `ms`, running due timers in order, and lets promise callbacks run between them. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await flush();
  }
}

export const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A WebSocket the test plays the server of. */
export class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: SentFrame[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  static get last(): FakeSocket {
    const s = FakeSocket.all[FakeSocket.all.length - 1];
    if (s === undefined) throw new Error('no socket opened');
    return s;
  }

  get params(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as SentFrame);
  }

  close(code = 1000, reason = ''): void {
    this.closedWith = code;
    this.serverClose(code, reason);
  }

  /** Opens and sends `ready` (with `limits`, unless `null`: a server older than them). */
  accept(position = '10', username = 'alice', limits: SocketLimits | null = SERVER_LIMITS): void {
    this.readyState = 1;
    this.onopen?.({});
    this.push({ action: 'ready', data: { position, username, ...(limits === null ? {} : { limits }) } });
  }

  push(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  serverClose(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The frame sent for the `i`-th time (from 0), failing when there is none. */
  frame(i: number): SentFrame {
    const f = this.sent[i];
    if (f === undefined) throw new Error(`no frame ${i} was sent (${this.sent.length} were)`);
    return f;
  }

  /** Answers a frame the SDK sent with an `ack` carrying its `ref`. */
  ack(frame: SentFrame, data: Record<string, unknown> = {}): void {
    this.push({ action: 'ack', ref: frame.ref, data: { for: frame.action, ...data } });
  }

  /** Refuses a frame the SDK sent with an `error` carrying its `ref`. */
  refuse(frame: SentFrame, code: ErrorCode, msg = 'refused'): void {
    this.push({ action: 'error', ref: frame.ref, data: { for: frame.action, code, msg } });
  }
}

/** An unsigned JWT with these claims (the SDK never verifies). */
export const fakeJwt = (claims: Record<string, unknown>): string => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;
};
