import type { Position } from '../../../application/ports/event-store.js';
import { comparePositions } from '../../../application/ports/position.js';
import type { StreamHeads } from '../shared/stream-heads.js';

/** A stream's new head, as a subscription to $all reports it. */
export interface HeadEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: Position;
}

export interface HeadSource extends AsyncIterable<HeadEvent> {
  close(): Promise<void>;
}

export interface HeadsFollowerDeps {
  readonly heads: StreamHeads;
  /** The last non-system event's position now; bounded by the store's timeout. */
  readonly headPosition: () => Promise<Position | undefined>;
  /** A subscription to $all after `after` (undefined: the start of the log), system events excluded. */
  readonly subscribe: (after: Position | undefined, onConfirmed: () => void) => HeadSource;
  /** Back-off between attempts to (re)subscribe: doubling from min up to max, jittered. */
  readonly retryMs: { readonly min: number; readonly max: number };
  readonly onError: (error: unknown, attempt: number) => void;
}

type State = 'idle' | 'catching-up' | 'live' | 'down' | 'closed';

/**
 * Teaches StreamHeads every node's appends by following $all, so that a store over a shared
 * EventStoreDB can vouch that a cached revision is a stream's last.
 *
 * It starts at the head of the log as it first reads it (the anchor). Only what an operation
 * issued after that read teaches may be learnt (`anchored`): an append another node made between
 * an earlier read and the anchor would never be delivered. It vouches (`live`) only while its
 * subscription is confirmed and has delivered everything up to the head read just before
 * subscribing; when the subscription drops it stops vouching and resubscribes after the last
 * event it delivered, with back-off, so nothing in between is missed.
 *
 * Live, it still lags by the events in flight, so an entry may claim a revision another node has
 * already passed. That is acceptable only because the command path never acts on the claim
 * unguarded: an append carries the claimed revision as its expected revision (a conflict, then a
 * retry on a fresh read), and a refusal or no-op is decided again on a fresh read (see
 * aggregate-repository.ts). Anything that acts on isKnownCurrent without such a guard is wrong.
 */
export class HeadsFollower {
  private state: State = 'idle';
  /** Exclusive start of the next subscription: the anchor, then the last event delivered. */
  private resumeAfter: { readonly position: Position | undefined } | undefined;
  private source: HeadSource | undefined;
  private running: Promise<void> = Promise.resolve();
  private attempt = 0;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly deps: HeadsFollowerDeps) {}

  /** True once the anchor is read: what operations issued from now on teach may be learnt. */
  get anchored(): boolean {
    return this.resumeAfter !== undefined;
  }

  /** True while the subscription is up and caught up: StreamHeads may be vouched for. */
  get live(): boolean {
    return this.state === 'live';
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'down';
    this.running = this.run();
  }

  /** Stops following; waits for a pending call at most as long as its bound. */
  async close(): Promise<void> {
    this.state = 'closed';
    this.wakeUp?.();
    await this.source?.close();
    await this.running;
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private async run(): Promise<void> {
    while (!this.isClosed()) {
      try {
        await this.follow();
      } catch (error) {
        if (!this.isClosed()) this.deps.onError(error, this.attempt + 1);
      }
      if (this.isClosed()) return;
      this.state = 'down';
      this.attempt += 1;
      await this.pause(backOff(this.attempt, this.deps.retryMs));
    }
  }

  /** One subscription, from (re)subscribing until it ends. */
  private async follow(): Promise<void> {
    const target = await this.deps.headPosition();
    if (this.isClosed()) return;
    const resumeAfter = (this.resumeAfter ??= { position: target });
    this.state = 'catching-up';
    let confirmed = false;
    const check = (): void => {
      const at = this.resumeAfter?.position;
      if (!confirmed || this.state !== 'catching-up') return;
      if (target !== undefined && (at === undefined || comparePositions(at, target) < 0)) return;
      this.state = 'live';
      this.attempt = 0;
    };
    const source = this.deps.subscribe(resumeAfter.position, () => {
      confirmed = true;
      check();
    });
    this.source = source;
    try {
      for await (const e of source) {
        this.deps.heads.learn(e.streamId, e.revision);
        this.resumeAfter = { position: e.position };
        check();
      }
    } finally {
      this.source = undefined;
      await source.close();
    }
    if (!this.isClosed()) throw new Error('EventStoreDB ended the subscription to $all');
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

const backOff = (attempt: number, { min, max }: { readonly min: number; readonly max: number }): number => {
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
};
