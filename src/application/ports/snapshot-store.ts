import type { Json } from '../../domain/shared/json.js';

/** A decider's state at one revision of its stream: derived data, which the log can always rebuild. */
export interface Snapshot {
  readonly streamId: string;
  /** The decider's snapshot version the state was encoded with (SnapshotCodec.version). */
  readonly version: number;
  /** Revision of the last event folded into the state. */
  readonly revision: number;
  /** Id of that event: a snapshot whose event is not the stream's at that revision (another log) is ignored. */
  readonly eventId: string;
  readonly state: Json;
}

/**
 * Where snapshots are kept: one per stream, the latest saved. Losing any of them (or all) only
 * costs a slower first load of those streams, after which they are written again.
 */
export interface SnapshotStore {
  /** The stream's snapshot; undefined when there is none, or it cannot be read. */
  load(streamId: string): Promise<Snapshot | undefined>;
  /** Replaces the stream's snapshot. */
  save(snapshot: Snapshot): Promise<void>;
  /** Forgets the stream's snapshot (a no-op when there is none). */
  delete(streamId: string): Promise<void>;
  close(): Promise<void>;
}
