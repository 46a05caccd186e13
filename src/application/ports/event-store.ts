import type { EventData } from '../../domain/shared/decider.js';
import type { JsonObject } from '../../domain/shared/json.js';

/**
 * A global position in the log. The embedded store uses one sequence (commit = prepare);
 * EventStoreDB has a commit and a prepare position. Ordered by commit, then prepare.
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface EventMetadata {
  readonly userId?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  /** ISO 8601 UTC time the command was handled. */
  readonly timestamp: string;
  /**
   * Schema version of `data` for this event type (see upcasting). Every event the service writes
   * has it; one imported from an older log without it is stored without it (and read as version 1).
   */
  readonly schemaVersion?: number;
}

export interface NewEvent {
  /** A uuid; appending the same ids again is a no-op (idempotent append). */
  readonly id: string;
  readonly type: string;
  /** Written as JSON; read back as a JsonObject. */
  readonly data: EventData;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  readonly data: JsonObject;
  readonly streamId: string;
  /** 0-based revision of the event within its stream. */
  readonly revision: number;
  readonly position: Position;
}

/**
 * An event with its data and metadata as the JSON text the store holds, not parsed: for passes
 * that hash what is stored and read the whole log (the ledger's verify).
 */
export interface StoredEventText {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  /** JSON text of the event's data, as stored. */
  readonly data: string;
  /** JSON text of its metadata, as stored. */
  readonly metadata: string;
  readonly position: Position;
}

/** What the appender believes about the stream: as in EventStoreDB. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export type AppendResult =
  | { readonly _tag: 'Appended'; readonly nextRevision: number; readonly position: Position }
  | {
      readonly _tag: 'Conflict';
      readonly streamId: string;
      readonly expected: ExpectedRevision;
      /** The stream's current revision, or 'no_stream'. */
      readonly actual: number | 'no_stream';
    };

/** Server-side filter for reads and subscriptions over the whole log. */
export interface EventFilter {
  readonly streamPrefixes?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive lower bound; undefined reads from the start of the log. */
  readonly after?: Position;
  readonly filter?: EventFilter;
  readonly maxCount?: number;
}

export interface ReadStreamOptions {
  /** Inclusive first revision to read. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

/** A catch-up-then-live subscription; iterate it, and close it to stop. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Exclusive lower bound (a checkpoint); undefined starts at the beginning of the log. */
  readonly after?: Position;
  readonly filter?: EventFilter;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** The stream's events in revision order; empty when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  lastRevision(streamId: string): Promise<number | undefined>;
  /** One page of the log in position order. */
  readAll(options?: ReadAllOptions): Promise<readonly RecordedEvent[]>;
  /** Optional: `readAll` with data and metadata left as the stored JSON text (a store without it is read through `readAll`). */
  readAllText?(options?: ReadAllOptions): Promise<readonly StoredEventText[]>;
  subscribeAll(options?: SubscribeOptions): Subscription;
  /**
   * Rejects when the store could not take an append now (a full disk, a read-only file, an
   * unreachable server): what `/readyz` asks. It may write outside the log, never into it.
   */
  checkWritable(): Promise<void>;
  /** Position of the last event in the log, or undefined when it is empty. */
  headPosition(): Promise<Position | undefined>;
  /**
   * Optional hint: true only when the store knows `revision` (-1: no stream) is the stream's last
   * event, so a state cached at that revision needs no catch-up read. It may lag appends made
   * elsewhere; callers that act on it must be protected by an expected revision or re-check.
   */
  isKnownCurrent?(streamId: string, revision: number): boolean;
  close(): Promise<void>;
}
