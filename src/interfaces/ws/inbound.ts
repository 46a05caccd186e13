import type { RawData } from 'ws';
import type { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import type { ConnectionContext } from './connection-context.js';
import { decodeFrame, type DecodeResult } from './decode-frame.js';
import { TokenBucket } from './rate-limiter.js';
import { ActionRunner, errorOf } from './run-action.js';
import type { ActionName } from '../../application/wire/client-actions.js';

/** How long a queued close waits for the frames of what the socket stored before it. */
const CLOSE_FLUSH_MS = 2000;

/** What arrived, as it waits for its turn: a frame to handle, or the answer its arrival already decided. */
type Inbound =
  | { readonly kind: 'frame'; readonly decoded: DecodeResult }
  | { readonly kind: 'rate_limited'; readonly action: ActionName; readonly ref: string | undefined }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

const rawText = (data: RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');

const decode = (data: RawData): DecodeResult => {
  try {
    return decodeFrame(rawText(data));
  } catch {
    return { ok: false, reason: 'undecodable frame' };
  }
};

/**
 * A socket's frames from the client: the rate limit and the queue bound are taken on arrival, so
 * a slow command cannot hide a flood; but every answer, refusals and closes included, waits its
 * turn in the queue, so nothing is sent before `ready` (`start`) and frames accepted before a
 * close are still handled. One frame at a time, in arrival order.
 */
export class InboundFrames {
  private readonly queue: Inbound[] = [];
  /** A close waits in the queue: later frames are not taken. */
  private closeQueued = false;
  private pumping = false;
  private started = false;
  private readonly bucket: TokenBucket;
  private warnings = 0;
  private current: Promise<void> = Promise.resolve();
  private readonly actions: ActionRunner;

  constructor(
    private readonly c: ConnectionContext,
    private readonly socket: ClientSocket,
  ) {
    this.bucket = new TokenBucket(c.limits.ratePerSecond, c.limits.rateBurst, Date.now());
    this.actions = new ActionRunner(c, socket);
  }

  /** `ready` was sent: the frames that came before it, and all later ones, are handled from now. */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Settles when the frames being handled now are handled (never rejects). */
  get settled(): Promise<void> {
    return this.current;
  }

  receive(data: RawData, isBinary: boolean): void {
    if (this.socket.closed || this.closeQueued) return;
    if (isBinary) return this.enqueue({ kind: 'close', code: CloseCode.BAD_DATA, reason: 'binary frames are not accepted' });
    const decoded = decode(data);
    this.c.metrics?.frameIn(decoded.ok ? decoded.value.action : 'undecodable');
    if (decoded.ok && !this.bucket.take(Date.now())) {
      this.warnings += 1;
      if (this.warnings > this.c.limits.rateWarnings) return this.enqueue({ kind: 'close', code: CloseCode.POLICY_VIOLATION, reason: 'rate limit exceeded' });
      this.c.metrics?.refusal('rate_limited', 'ws');
      return this.enqueue({ kind: 'rate_limited', action: decoded.value.action, ref: decoded.ref });
    }
    if (this.queue.length >= this.c.limits.maxQueuedFrames)
      return this.enqueue({ kind: 'close', code: CloseCode.POLICY_VIOLATION, reason: 'too many frames waiting' });
    this.enqueue({ kind: 'frame', decoded });
  }

  private enqueue(item: Inbound): void {
    if (item.kind === 'close') this.closeQueued = true;
    this.queue.push(item);
    this.pump();
  }

  private pump(): void {
    if (this.pumping || !this.started || this.queue.length === 0) return;
    this.pumping = true;
    this.current = (async () => {
      try {
        for (let next = this.queue.shift(); next !== undefined && !this.socket.closed; next = this.queue.shift()) await this.take(next);
      } catch (err) {
        this.c.logger.error({ err, userId: this.socket.userId }, 'websocket frame handling failed');
        this.socket.close(CloseCode.INTERNAL_ERROR, 'server fault');
      } finally {
        this.pumping = false;
        this.queue.length = 0;
      }
    })();
  }

  private async take(item: Inbound): Promise<void> {
    switch (item.kind) {
      case 'frame':
        return this.actions.run(item.decoded);
      case 'rate_limited':
        return this.socket.reply(errorOf(item.action, 'rate_limited', 'Too many messages: slow down', item.ref));
      case 'close': {
        // What the frames before it stored reaches this socket first: accepted means answered.
        const stored = this.actions.lastStored;
        if (stored !== undefined) await this.c.broadcasterTracker.waitFor(stored, CLOSE_FLUSH_MS);
        return this.socket.close(item.code, item.reason);
      }
    }
  }
}
