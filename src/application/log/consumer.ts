import type { EventType } from '../../domain/events.js';
import type { Position } from '../ports/event-store.js';
import type { PositionTracker } from './position-tracker.js';
import type { Stored } from './stored.js';

/**
 * Anything that follows the log: the read models' projection, the broadcaster, the reactors,
 * the in-memory indexes, the ledger. The log processor brings it from where it resumes to the
 * live tail and keeps it there; the consumer only says where it resumes and what an event does.
 */
export interface LogConsumer {
  readonly name: string;
  /** Only these types reach `handle` (the store filters them while catching up); every type when absent. */
  readonly eventTypes?: readonly EventType[];
  /** Where it resumes, asked at each (re)start: its checkpoint; undefined for the start of the log. */
  resumeAfter(): Promise<Position | undefined>;
  /**
   * The next events of its types, in log order; `through` is where it stands once they are handled
   * (the last one's position, or beyond it past events of other types). A rejection makes the
   * processor start it again from `resumeAfter()`, after a back-off.
   */
  handle(events: readonly Stored[], through: Position): Promise<void>;
  /** At most `max` events per `handle` (default 1000); with `spacingMs`, calls spaced so that events arriving meanwhile share one, unless someone waits for its position. */
  readonly batching?: { readonly max: number; readonly spacingMs?: number };
}

export type ConsumerState = 'catching_up' | 'live' | 'failed' | 'stopped';

/** A consumer as the processor runs it. */
export interface RunningConsumer {
  /** How far it has handled the log: wait on it for read-your-writes, or before acknowledging. */
  readonly tracker: PositionTracker;
  readonly state: ConsumerState;
  /** The fault it is backing off from, until it makes progress again (`/readyz`). */
  readonly error: Error | undefined;
  /** Settles once it first knows where it resumes (its tracker then stands there), or first failed to. */
  readonly started: Promise<void>;
  /** Stops it, then starts it again from `resumeAfter()` (a read-model generation switch). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}
