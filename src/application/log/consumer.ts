import type { EventType } from '../../domain/events.js';
import type { Position, RecordedEvent } from '../ports/event-store.js';
import type { PositionTracker } from './position-tracker.js';
import type { Stored } from './stored.js';

/** What every consumer says: its name, where it resumes, how it batches. */
interface ConsumerBase {
  readonly name: string;
  /** Where it resumes, asked at each (re)start: its checkpoint; undefined for the start of the log. */
  resumeAfter(): Promise<Position | undefined>;
  /** At most `max` events per `handle` (default 1000); with `spacingMs`, calls spaced so that events arriving meanwhile share one, unless someone waits for its position. */
  readonly batching?: { readonly max: number; readonly spacingMs?: number };
}

/**
 * Anything that follows the log: the read models' projection, the broadcaster, the reactors,
 * the in-memory indexes. The log processor brings it from where it resumes to the live tail and
 * keeps it there; the consumer only says where it resumes and what an event does.
 */
export interface LogConsumer extends ConsumerBase {
  readonly raw?: false;
  /** Only these types reach `handle` (the store filters them while catching up); every type when absent. */
  readonly eventTypes?: readonly EventType[];
  /**
   * The next events of its types, in log order; `through` is where it stands once they are handled
   * (the last one's position, or beyond it past events of other types). A rejection makes the
   * processor start it again from `resumeAfter()`, after a back-off; a ConsumerHalted stops it for good.
   */
  handle(events: readonly Stored[], through: Position): Promise<void>;
}

/**
 * A consumer of the log as stored (the ledger): every event, foreign types included, nothing
 * decoded, so what it sees does not depend on this code's codecs (or on decrypting anything).
 */
export interface RawLogConsumer extends ConsumerBase {
  readonly raw: true;
  handle(events: readonly RecordedEvent[], through: Position): Promise<void>;
}

export type AnyLogConsumer = LogConsumer | RawLogConsumer;

/**
 * Thrown by a consumer that must not go on (the ledger found the log differs from what it
 * sealed): the processor stops it for good, in the `halted` state with this error, instead of
 * starting it again. Only a new run (a restart of the node, another lease holder) tries again.
 */
export class ConsumerHalted extends Error {
  override readonly name = 'ConsumerHalted';
}

export type ConsumerState = 'catching_up' | 'live' | 'failed' | 'halted' | 'stopped';

/** A consumer as the processor runs it. */
export interface RunningConsumer {
  /** How far it has handled the log: wait on it for read-your-writes, or before acknowledging. */
  readonly tracker: PositionTracker;
  readonly state: ConsumerState;
  /** The fault it is backing off from, until it makes progress again, or the one it halted on (`/readyz`). */
  readonly error: Error | undefined;
  /** Settles once it first knows where it resumes (its tracker then stands there), or first failed to. */
  readonly started: Promise<void>;
  /** Stops it, then starts it again from `resumeAfter()` (a read-model generation switch). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}
