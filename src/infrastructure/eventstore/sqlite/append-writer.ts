import type { Database, Statement } from 'better-sqlite3';
import type { AppendResult, ExpectedRevision, NewEvent } from '../../../application/ports/event-store.js';
import { positionOf } from '../../../application/ports/position.js';
import { storedJsonOf } from '../shared/stored-json.js';
import { satisfiesExpected } from './expected-revision.js';
import type { EventRow } from './rows.js';

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
}

export type AppendOutcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: Error };

export interface GroupWrite {
  readonly outcomes: readonly AppendOutcome[];
  /** Rows inserted by the group, in position order (contiguous positions: one writer holds the lock). */
  readonly inserted: readonly EventRow[];
}

interface StreamHead {
  readonly revision: number;
  readonly position: number;
}

type Plan =
  | { readonly _tag: 'Done'; readonly result: AppendResult }
  | {
      readonly _tag: 'Insert';
      /** The stream's current last revision (-1: none) and position (0: none). */
      readonly revision: number;
      readonly position: number;
      readonly rows: readonly { id: string; type: string; data: string; metadata: string }[];
    };

interface ExistingEvent {
  readonly stream_id: string;
  readonly revision: number;
  readonly position: number;
}

/** Writes a group of appends in one SQLite transaction; each append is checked on its own. */
export class AppendWriter {
  private readonly insert: Statement<[string, number, string, string, string, string]>;
  private readonly streamHead: Statement<[string], StreamHead>;
  private readonly findEvent: Statement<[string], ExistingEvent>;
  private readonly writeGroupTx: (requests: readonly AppendRequest[]) => GroupWrite;
  private readonly probeTx: () => void;

  constructor(db: Database) {
    this.insert = db.prepare<[string, number, string, string, string, string]>(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.streamHead = db.prepare<[string], StreamHead>('SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1');
    this.findEvent = db.prepare<[string], ExistingEvent>('SELECT stream_id, revision, position FROM events WHERE event_id = ?');

    const groupTx = db.transaction((requests: readonly AppendRequest[]): GroupWrite => {
      const inserted: EventRow[] = [];
      const outcomes = requests.map((req): AppendOutcome => {
        let plan: Plan;
        try {
          plan = this.plan(req);
        } catch (e) {
          return { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
        }
        // An insert can now only fail on a database fault: that throws out of the
        // transaction, which rolls back and fails the whole group.
        return { ok: true, result: plan._tag === 'Done' ? plan.result : this.insertAll(req.streamId, plan, inserted) };
      });
      return { outcomes, inserted };
    });
    // IMMEDIATE takes the write lock up front: no deadlock-prone read-to-write upgrade
    // when another process shares the file.
    this.writeGroupTx = groupTx.immediate;
    const touchProbe = db.prepare<[string]>('INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, ?)');
    this.probeTx = db.transaction(() => void touchProbe.run(new Date().toISOString())).immediate;
  }

  /** A one-row commit outside the log, as durable as an append: throws when the file cannot be written (full, read-only, I/O fault). */
  probe(): void {
    this.probeTx();
  }

  /** Throws only when the whole transaction fails (I/O error, lock timeout). */
  writeGroup(requests: readonly AppendRequest[]): GroupWrite {
    return this.writeGroupTx(requests);
  }

  /**
   * Everything that can refuse or fault an append for its own reasons (replay check, expected
   * revision, serialisation) happens here, before any write: no savepoint per append needed.
   */
  private plan(req: AppendRequest): Plan {
    const { streamId, events, expected } = req;
    const replay = this.replayedBatch(streamId, events);
    if (replay !== undefined) return { _tag: 'Done', result: replay };

    const head = this.streamHead.get(streamId);
    if (!satisfiesExpected(expected, head?.revision)) {
      const actual = head === undefined ? 'no_stream' : head.revision;
      return { _tag: 'Done', result: { _tag: 'Conflict', streamId, expected, actual } };
    }
    const rows = events.map((e) => {
      const data = storedJsonOf(e.data);
      const metadata = storedJsonOf(e.metadata);
      if (typeof e.id !== 'string' || typeof e.type !== 'string' || typeof data !== 'string' || typeof metadata !== 'string') {
        throw new TypeError(`append to ${streamId}: malformed event ${String(e.id)}`);
      }
      return { id: e.id, type: e.type, data, metadata };
    });
    return { _tag: 'Insert', revision: head?.revision ?? -1, position: head?.position ?? 0, rows };
  }

  private insertAll(streamId: string, plan: Extract<Plan, { _tag: 'Insert' }>, inserted: EventRow[]): AppendResult {
    let { revision, position } = plan;
    for (const { id, type, data, metadata } of plan.rows) {
      revision += 1;
      position = Number(this.insert.run(streamId, revision, id, type, data, metadata).lastInsertRowid);
      inserted.push({ position, stream_id: streamId, revision, event_id: id, type, data, metadata });
    }
    // As EventStoreDB: nextRevision is the revision of the stream's last event (-1: none).
    return { _tag: 'Appended', nextRevision: revision, position: positionOf(position) };
  }

  /**
   * Idempotent append as in EventStoreDB: the same batch, already stored at consecutive
   * revisions of this stream, is acknowledged again without writing. Any other overlap of
   * event ids is a fault, not a conflict: retrying would not help.
   */
  private replayedBatch(streamId: string, events: readonly NewEvent[]): AppendResult | undefined {
    if (events.length === 0) return undefined;
    if (new Set(events.map((e) => e.id)).size !== events.length) {
      throw new Error(`append to ${streamId}: duplicate event ids in one batch`);
    }
    const found = events.map((e) => this.findEvent.get(e.id));
    const stored = found.filter((f): f is ExistingEvent => f !== undefined);
    if (stored.length === 0) return undefined;
    const first = stored[0];
    const last = stored[stored.length - 1];
    const sameBatch =
      first !== undefined &&
      last !== undefined &&
      stored.length === events.length &&
      stored.every((s, i) => s.stream_id === streamId && s.revision === first.revision + i);
    if (!sameBatch) {
      throw new Error(
        `append to ${streamId}: ${stored.length} of ${events.length} event ids already exist (in ${[...new Set(stored.map((s) => s.stream_id))].join(', ')}) but not as this same batch`,
      );
    }
    return { _tag: 'Appended', nextRevision: last.revision, position: positionOf(last.position) };
  }
}
