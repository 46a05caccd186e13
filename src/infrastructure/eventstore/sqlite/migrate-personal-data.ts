import Database from 'better-sqlite3';
import type { JsonObject } from '../../../domain/shared/json.js';
import { storedJsonOf } from '../shared/stored-json.js';
import { configure, markPersonalDataSealed, personalDataSealed } from './schema.js';

/** One stored event, as the migration reads it. */
export interface MigratedEvent {
  readonly stream: string;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
}

/** What becomes of one event: its personal data sealed, its stream renamed; `changed` false leaves its row untouched. */
export type SealEvent = (event: MigratedEvent) => Promise<{ readonly stream: string; readonly data: JsonObject; readonly changed: boolean }>;

export interface MigrationResult {
  /** False when the log was marked sealed already: nothing was read or written. */
  readonly ran: boolean;
  readonly events: number;
  readonly rewritten: number;
}

interface Row {
  readonly position: number;
  readonly stream_id: string;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
}

const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Seals, in place, the personal data of an embedded log written before it was sealed: page by
 * page in position order, each page's rewritten rows in one transaction (a crash leaves rows
 * sealed or not, and a second run seals the rest: sealed values are recognised and kept). Then
 * the log is marked sealed and rewritten whole (VACUUM) with `secure_delete` on, and its WAL
 * emptied: no copy of the data in clear stays in the file's free pages or in the WAL.
 *
 * Run it with every node stopped, before the ledger starts (a leaf hashes the data as stored:
 * sealing after it would change every leaf). Positions, ids and revisions do not change.
 */
export const migratePersonalData = async (
  path: string,
  seal: SealEvent,
  options: { readonly pageSize?: number; readonly onPage?: (events: number, total: number) => void } = {},
): Promise<MigrationResult> => {
  const db = new Database(path, { fileMustExist: true });
  try {
    configure(db, 'FULL', 5000);
    if (personalDataSealed(db)) return { ran: false, events: 0, rewritten: 0 };
    if (db.pragma('secure_delete = ON', { simple: true }) !== 1) throw new Error('SQLite event store: could not enable secure_delete');
    const page = db.prepare<[number, number], Row>('SELECT position, stream_id, event_id, type, data FROM events WHERE position > ? ORDER BY position LIMIT ?');
    const update = db.prepare<[string, string, number]>('UPDATE events SET stream_id = ?, data = ? WHERE position = ?');
    const write = db.transaction((rows: readonly (readonly [string, string, number])[]) => {
      for (const row of rows) update.run(...row);
    });
    const size = Math.max(1, options.pageSize ?? 5000);
    const total = db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get() ?? 0;
    let after = 0;
    let events = 0;
    let rewritten = 0;
    for (;;) {
      const rows = page.all(after, size);
      const last = rows[rows.length - 1];
      if (last === undefined) break;
      const changes: (readonly [string, string, number])[] = [];
      for (const row of rows) {
        const data: unknown = JSON.parse(row.data);
        if (!isJsonObject(data)) throw new Error(`event ${row.event_id} at position ${row.position}: its data is not a JSON object`);
        const sealed = await seal({ stream: row.stream_id, id: row.event_id, type: row.type, data });
        if (!sealed.changed) continue;
        const text = storedJsonOf(sealed.data);
        if (text === undefined) throw new Error(`event ${row.event_id} at position ${row.position}: its sealed data is not JSON`);
        changes.push([sealed.stream, text, row.position]);
      }
      write.immediate(changes);
      events += rows.length;
      rewritten += changes.length;
      after = last.position;
      options.onPage?.(events, total);
    }
    markPersonalDataSealed(db);
    // Every page rewritten, the free ones dropped: no old version of a row stays in the file.
    db.exec('VACUUM');
    const busy: unknown = db.pragma('wal_checkpoint(TRUNCATE)', { simple: true });
    if (busy !== 0)
      throw new Error('SQLite event store: the log is sealed but its WAL could not be emptied (another process reads it): stop it and run migrate again');
    return { ran: true, events, rewritten };
  } finally {
    db.close();
  }
};
