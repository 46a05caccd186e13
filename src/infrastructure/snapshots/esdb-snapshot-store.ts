import { BACKWARDS, END, EventStoreDBClient, jsonEvent, StreamNotFoundError } from '@eventstore/db-client';
import type { Snapshot, SnapshotStore } from '../../application/ports/snapshot-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { closeChannel, drain } from '../eventstore/esdb/esdb-client-support.js';
import { EventStoreTimeoutError } from '../eventstore/esdb/esdb-errors.js';
import { SNAPSHOT_STREAM_PREFIX } from '../eventstore/esdb/esdb-events.js';
import { withTimeout } from '../shared/with-timeout.js';
import { decodeSnapshot } from './snapshot-envelope.js';

const SNAPSHOT = 'Snapshot';
/** Written by `delete`: the stream keeps one event, so a deletion is the last one. */
const DELETED = 'SnapshotDeleted';

export const snapshotStreamOf = (streamId: string): string => `${SNAPSHOT_STREAM_PREFIX}${streamId}`;

/**
 * Snapshots on EventStoreDB itself, so that every node sharing the server shares them: one
 * `snapshot-{streamId}` stream per stream, whose metadata ($maxCount: 1) keeps only the last
 * snapshot. The event store adapter leaves these streams out of $all (isSystemEvent), so no
 * projection, subscription, export or audit ever sees them.
 */
export class EsdbSnapshotStore implements SnapshotStore {
  private closed = false;
  /** Disposing a client that never connected would connect it first. */
  private used = false;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly timeoutMs: number = 10_000,
  ) {}

  static connect(url: string, timeoutMs?: number): EsdbSnapshotStore {
    return new EsdbSnapshotStore(EventStoreDBClient.connectionString(url), timeoutMs);
  }

  async load(streamId: string): Promise<Snapshot | undefined> {
    const stream = snapshotStreamOf(streamId);
    this.used = true;
    const read = this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1, deadline: this.timeoutMs });
    const resolved = await this.bounded(drain(read), `read ${stream}`, () => void read.cancel().catch(() => undefined)).catch((error: unknown) => {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    });
    const event = resolved[0]?.event;
    if (event === undefined || event.type !== SNAPSHOT || !event.isJson) return undefined;
    return decodeSnapshot(event.data);
  }

  async save(snapshot: Snapshot): Promise<void> {
    const stream = snapshotStreamOf(snapshot.streamId);
    const data: JsonObject = { ...snapshot };
    this.used = true;
    const result = await this.bounded(
      this.client.appendToStream(stream, jsonEvent({ type: SNAPSHOT, data }), { deadline: this.timeoutMs }),
      `append to ${stream}`,
    );
    // The stream's first event: from now on the server keeps only the last one.
    if (result.nextExpectedRevision === 0n) await this.keepLastOnly(stream);
  }

  async delete(streamId: string): Promise<void> {
    const stream = snapshotStreamOf(streamId);
    const data: JsonObject = { streamId };
    this.used = true;
    const result = await this.bounded(
      this.client.appendToStream(stream, jsonEvent({ type: DELETED, data }), { deadline: this.timeoutMs }),
      `append to ${stream}`,
    );
    if (result.nextExpectedRevision === 0n) await this.keepLastOnly(stream);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.used) return;
    try {
      await this.bounded(this.client.dispose(), 'dispose the client');
    } finally {
      await this.bounded(closeChannel(this.client), 'close the connection').catch(() => undefined);
    }
  }

  private async keepLastOnly(stream: string): Promise<void> {
    await this.bounded(this.client.setStreamMetadata(stream, { maxCount: 1 }, { deadline: this.timeoutMs }), `set the metadata of ${stream}`);
  }

  private bounded<T>(work: Promise<T>, operation: string, onTimeout?: () => void): Promise<T> {
    return withTimeout(work, this.timeoutMs, operation, { onTimeout, error: (op, ms) => new EventStoreTimeoutError(op, ms) });
  }
}
