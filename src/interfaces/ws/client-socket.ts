import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Group } from '../../application/broadcast/delivery.js';
import type { ServerFrame } from '../../application/wire/server-frames.js';
import type { Actor } from '../../application/shared/deps.js';
import { compareFramePositions, parseFramePosition, type FramePosition } from '../../application/broadcast/frame-position.js';
import { CloseCode } from './close-codes.js';

export interface SocketLimits {
  readonly maxBufferedBytes: number;
  /** How long a socket may stay over the bound before it is dropped. */
  readonly overBoundGraceMs: number;
  /** Told of each frame sent (metrics). */
  readonly onFrameOut?: (action: string) => void;
}

/**
 * One connected tab. Frames from events go through `push`, which keeps the socket's order
 * and, while a resume replay runs, holds live frames back so none is lost or repeated.
 */
export class ClientSocket {
  /** The groups the hub joined it to (the hub's sets answer membership; an array costs an idle socket less than a set). */
  readonly groups: Group[] = [];
  private held: ServerFrame[] | undefined;
  private replayedThrough: FramePosition | undefined;
  private overBoundSince: number | undefined;
  private corked = false;
  closed = false;

  constructor(
    readonly ws: WebSocket,
    /** The TCP socket under `ws`, corked while frames are being sent (see sendText). */
    private readonly raw: Duplex,
    readonly actor: Actor,
    private readonly limits: SocketLimits,
    /** `?presence=batched`: `presence_state` / `presence_diff` instead of `user_online` / `user_offline`. */
    readonly batchedPresence = false,
  ) {}

  get userId(): string {
    return this.actor.userId;
  }

  /** Hold live frames until `endReplay`. */
  beginReplay(): void {
    this.held = [];
  }

  /** The client already has every frame up to `p` (its `since`, or where its resume starts): live frames up to it are dropped. */
  skipThrough(p: FramePosition): void {
    if (this.replayedThrough === undefined || compareFramePositions(p, this.replayedThrough) > 0) this.replayedThrough = p;
  }

  /** Replayed frames go straight out; their positions mark the hand-over point. */
  pushReplayed(frame: ServerFrame, serialised?: string): void {
    const p = frame.position === undefined ? undefined : parseFramePosition(frame.position);
    if (p !== undefined) this.skipThrough(p);
    this.sendText(serialised ?? JSON.stringify(frame), frame.action);
  }

  /** Releases held live frames, skipping those the replay already sent: no gap, no duplicate. */
  endReplay(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const frame of held) this.push(frame);
  }

  /**
   * A frame from a stored event, in log order (the broadcaster's). The replay reads the store, which
   * may be ahead of the broadcaster: live frames it already sent are skipped even after it ended.
   */
  push(frame: ServerFrame, serialised?: string): void {
    if (this.held !== undefined) {
      this.held.push(frame);
      return;
    }
    const through = this.replayedThrough;
    if (through !== undefined && frame.position !== undefined) {
      const p = parseFramePosition(frame.position);
      if (p !== undefined && compareFramePositions(p, through) <= 0) return;
      // Live frames come in log order: none after this one can have been replayed.
      this.replayedThrough = undefined;
    }
    this.sendText(serialised ?? JSON.stringify(frame), frame.action);
  }

  /** A direct reply (`ready`, errors, acks, join_chat acknowledgements): not from an event, no position. */
  reply(frame: ServerFrame, serialised?: string): void {
    this.sendText(serialised ?? JSON.stringify(frame), frame.action);
  }

  private sendText(text: string, action: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.limits.onFrameOut?.(action);
    // Frames sent in one pass over the log (a presence storm, a burst of messages) leave in one
    // write instead of one system call each: corked until the current run of callbacks ends.
    if (!this.corked) {
      this.corked = true;
      this.raw.cork();
      process.nextTick(() => {
        this.corked = false;
        this.raw.uncork();
      });
    }
    this.ws.send(text);
    this.checkBound(Date.now());
  }

  /** A consumer that stays over the buffered-bytes bound is dropped, so it cannot hold memory or slow others. */
  checkBound(now: number): void {
    if (this.ws.bufferedAmount <= this.limits.maxBufferedBytes) {
      this.overBoundSince = undefined;
      return;
    }
    this.overBoundSince ??= now;
    const hardLimit = this.ws.bufferedAmount > 4 * this.limits.maxBufferedBytes;
    if (hardLimit || now - this.overBoundSince >= this.limits.overBoundGraceMs) this.close(CloseCode.TRY_AGAIN_LATER, 'slow consumer');
  }

  /** Cuts the transport at once: for a peer that no longer answers. */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // A consumer that does not read will never complete the closing handshake.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}
