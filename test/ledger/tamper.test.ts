import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { runCliProcess, type CliResult } from '../cli/cli-process.js';
import { makeKnown, putChat, sendMessage, uniqueName } from '../http/http-helpers.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { sealedToHead } from './sealed-to-head.js';
import { sleep } from '../support/wait.js';

interface Row {
  readonly position: number;
  readonly event_id: string;
  readonly stream_id: string;
  readonly revision: number;
  readonly type: string;
  readonly data: string;
}

const SEAL_MS = 100;

/** A service on `dataDir` sealing every 100 ms. */
const serve = (dataDir: string): Promise<TestService> =>
  startTestService({ sqliteSynchronous: 'NORMAL', ledger: { sealIntervalMs: SEAL_MS, origin: 'chat-events', signingKeyFile: undefined } }, { dataDir });

/** Two users chatting: `n` messages, each stored and acknowledged. */
const chatter = async (svc: TestService, n: number, tag: string): Promise<void> => {
  const [a, b] = [uniqueName(`tamper_${tag}_a`), uniqueName(`tamper_${tag}_b`)];
  await makeKnown(svc, a, b);
  const { chat } = await putChat(svc, a, b);
  const client = await svc.connect(a);
  try {
    for (let i = 0; i < n; i++) await sendMessage(client, chat.chat_id, `${tag} message ${i}`);
  } finally {
    await client.close();
  }
};

const checkpointNow = async (svc: TestService): Promise<string> => {
  const res = await fetch(`${svc.service.url}/api/ledger/checkpoint`);
  expect(res.status).to.equal(200);
  return res.text();
};

const ledger = (dataDir: string, ...args: string[]): Promise<CliResult> => runCliProcess('ledger', args, { dataDir, timeoutMs: 60_000 });

/** The one line `verify` answers (stdout), and its exit code. */
const verify = async (dataDir: string, ...args: string[]): Promise<{ code: number | null; line: string }> => {
  const r = await ledger(dataDir, 'verify', '--slice-size', '16', ...args);
  expect(
    r.stdout.split('\n').filter((l) => l !== ''),
    r.stderr,
  ).to.have.length(1);
  return { code: r.code, line: r.stdout.trim() };
};

/** `f` on one of the stopped service's SQLite files. */
const withFile = <T>(dataDir: string, file: string, f: (db: Database.Database) => T): T => {
  const db = new Database(join(dataDir, file));
  try {
    return f(db);
  } finally {
    db.close();
  }
};

const withEvents = <T>(dataDir: string, f: (db: Database.Database) => T): T => withFile(dataDir, 'events.db', f);

const rowAt = (db: Database.Database, position: number): Row => {
  const row = db.prepare<[number], Row>('SELECT position, event_id, stream_id, revision, type, data FROM events WHERE position = ?').get(position);
  if (row === undefined) throw new Error(`no event at ${position}`);
  return row;
};

/** What a tamperer cutting the log would also do for the service to start on it: read models and snapshots rebuilt from the log. */
const dropDerived = (dataDir: string): void => {
  for (const f of readdirSync(dataDir)) if (f.startsWith('readmodels') || f.startsWith('snapshots.db')) rmSync(join(dataDir, f), { force: true });
};

/** The position of the n-th MessageSent (its data holds the content a tamperer would change). */
const nthMessage = (db: Database.Database, n: number): number => {
  const rows = db.prepare<[], { position: number }>("SELECT position FROM events WHERE type = 'MessageSent' ORDER BY position").all();
  const row = rows[n];
  if (row === undefined) throw new Error(`no message ${n}`);
  return row.position;
};

/**
 * Changes one character of the n-th message's stored data (inside its sealed content), the JSON still
 * valid: what an editor of the file would do. Returns the row as it was.
 */
const alterContent = (db: Database.Database, n: number): Row => {
  const row = rowAt(db, nthMessage(db, n));
  const at = row.data.indexOf('"content":"') + '"content":"'.length + 12;
  expect(at).to.be.greaterThan(20);
  const altered = `${row.data.slice(0, at)}${row.data[at] === 'A' ? 'B' : 'A'}${row.data.slice(at + 1)}`;
  db.prepare('UPDATE events SET data = ? WHERE position = ?').run(altered, row.position);
  return row;
};

/** Deletes the log's last `n` events: the position kept last, and the first row cut as it was. */
const cutTail = (db: Database.Database, n: number): readonly [number, Row] => {
  const keep = head(db) - n;
  const row = rowAt(db, keep + 1);
  db.prepare('DELETE FROM events WHERE position > ?').run(keep);
  return [keep, row];
};

/** What verify answers for an event whose data was altered. */
const alteredLine = (row: Row): string =>
  `event ${row.event_id} at position ${row.position} (leaf ${row.position - 1}) was altered: its leaf differs from the one sealed`;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const head = (db: Database.Database): number => db.prepare<[], { head: number }>('SELECT MAX(position) AS head FROM events').get()?.head ?? 0;

describe('tamper evidence: a stopped service’s events.db altered, `npm run ledger -- verify` names the first bad event', function () {
  this.timeout(120_000);
  let base = '';
  let savedCheckpoint = '';
  let sealedSize: number;
  const cases: string[] = [];

  /** A copy of the sealed data directory, for one case. */
  const copy = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tamper-case-'));
    cpSync(base, dir, { recursive: true });
    cases.push(dir);
    return dir;
  };

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'tamper-base-'));
    const svc = await serve(base);
    try {
      // Sealed in two halves, so that an earlier checkpoint than the last covers events: on a fast
      // machine all 40 messages can fall between the empty tree's checkpoint and the next one.
      await chatter(svc, 20, 'base');
      await sealedToHead(svc);
      await chatter(svc, 20, 'base_more');
      sealedSize = await sealedToHead(svc);
      savedCheckpoint = join(tmpdir(), `saved-checkpoint-${process.pid}-${Date.now()}.txt`);
      writeFileSync(savedCheckpoint, await checkpointNow(svc));
    } finally {
      await svc.stop();
    }
  });
  after(() => {
    for (const path of [base, savedCheckpoint, ...cases]) if (path !== '') rmSync(path, { recursive: true, force: true });
  });

  it('an intact log verifies (exit 0), on worker threads and without, and against the checkpoint saved before', async () => {
    const dir = copy();
    const threads = await verify(dir, '--checkpoint', savedCheckpoint);
    expect(threads.code, threads.line).to.equal(0);
    expect(threads.line).to.match(new RegExp(`^ok: ${sealedSize} events match the ledger's ${sealedSize} leaves and \\d+ signed checkpoints`));
    expect(threads.line).to.match(/consistent with checkpoint .*saved-checkpoint/);
    const [here, inThreads] = [await ledger(dir, 'verify'), await verify(dir)];
    expect(here.code, here.stderr).to.equal(0);
    expect(here.stderr).to.match(/no worker thread/);
    expect(inThreads.code).to.equal(0);
    expect(here.stdout.trim()).to.equal(inThreads.line);
  });

  it('a changed byte in one event’s data: exit 1, naming that event (position and id)', async () => {
    const dir = copy();
    const target = withEvents(dir, (db) => alterContent(db, 17));
    const r = await verify(dir);
    expect(r.code, r.line).to.equal(1);
    expect(r.line).to.equal(alteredLine(target));
  });

  it('the same values stored in another member order (one event, then the whole log, as stores wrote it before canonical text): exit 0, a changed byte still named', async () => {
    /** The object's members in reverse order, nested objects too: the same JSON value, not its canonical text. */
    const reorder = (text: string): string =>
      JSON.stringify(JSON.parse(text), (_k, v: unknown) => (isPlainObject(v) ? Object.fromEntries(Object.entries(v).reverse()) : v));
    const rewrite = (db: Database.Database, positions: readonly number[]): void => {
      const read = db.prepare<[number], { data: string; metadata: string }>('SELECT data, metadata FROM events WHERE position = ?');
      const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
      db.transaction(() => {
        for (const p of positions) {
          const row = read.get(p);
          if (row === undefined) throw new Error(`no event at ${p}`);
          update.run(reorder(row.data), reorder(row.metadata), p);
        }
      })();
    };
    const one = copy();
    const changed = withEvents(one, (db) => {
      const p = nthMessage(db, 13);
      const before = rowAt(db, p).data;
      rewrite(db, [p]);
      return before !== rowAt(db, p).data;
    });
    expect(changed, 'the stored text was rewritten').to.equal(true);
    const r1 = await verify(one);
    expect(r1.code, r1.line).to.equal(0);
    const all = copy();
    const target = withEvents(all, (db) => {
      rewrite(
        db,
        Array.from({ length: head(db) }, (_, i) => i + 1),
      );
      return alterContent(db, 21);
    });
    const r2 = await verify(all);
    expect(r2.code, r2.line).to.equal(1);
    expect(r2.line).to.equal(alteredLine(target));
  });

  it('a deleted event: exit 1, naming it', async () => {
    const dir = copy();
    const target = withEvents(dir, (db) => {
      const row = rowAt(db, nthMessage(db, 9));
      db.prepare('DELETE FROM events WHERE position = ?').run(row.position);
      return row;
    });
    const r = await verify(dir);
    expect(r.code, r.line).to.equal(1);
    expect(r.line).to.match(
      new RegExp(
        `^event ${target.event_id} at position ${target.position} \\(leaf ${target.position - 1}\\) is not where it was sealed: the log has event \\S+ at position ${target.position + 1}$`,
      ),
    );
  });

  it('two events swapped: exit 1, naming the first of them', async () => {
    const dir = copy();
    const [first, second] = withEvents(dir, (db) => {
      const [p, q] = [nthMessage(db, 20), nthMessage(db, 25)];
      const [a, b] = [rowAt(db, p), rowAt(db, q)];
      const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
      db.transaction(() => {
        move.run(-1, p);
        move.run(p, q);
        move.run(q, -1);
      })();
      return [a, b];
    });
    const r = await verify(dir);
    expect(r.code, r.line).to.equal(1);
    expect(r.line).to.equal(
      `event ${first.event_id} at position ${first.position} (leaf ${first.position - 1}) is not where it was sealed: the log has event ${second.event_id} at position ${first.position}`,
    );
  });

  it('a cut tail: exit 1, naming the first event missing', async () => {
    const dir = copy();
    const [cut, target] = withEvents(dir, (db) => cutTail(db, 7));
    const r = await verify(dir);
    expect(r.code, r.line).to.equal(1);
    expect(r.line).to.equal(`event ${target.event_id} at position ${cut + 1} (leaf ${cut}) is missing: the log ends before it`);
  });

  it('a cut tail, then new events on a restarted service: it stops sealing (in /readyz, no new checkpoint); verify exits 1 naming the first event cut, and so does verify --checkpoint', async () => {
    const dir = copy();
    const [cut, target] = withEvents(dir, (db) => cutTail(db, 12));
    dropDerived(dir);
    const svc = await serve(dir);
    try {
      await chatter(svc, 20, 'after_cut');
      await sleep(SEAL_MS * 5);
      const ready = await svc.http('GET', '/readyz');
      expect(ready.status).to.equal(503);
      // Read back at the start, before the new events: the first sealed event cut is missing (or, later, replaced).
      expect(JSON.stringify(ready.body)).to.match(
        new RegExp(`ledger stopped sealing: event ${target.event_id} at position ${cut + 1} \\(leaf ${cut}\\) (is missing|is not where it was sealed)`),
      );
      expect(svc.service.ledger.writer.halted?.message).to.match(/ledger stopped sealing/);
      // Nothing signed since the cut: the latest checkpoint is the one of the intact log.
      expect(await checkpointNow(svc)).to.equal(readFileSync(savedCheckpoint, 'utf8'));
    } finally {
      await svc.stop();
    }
    const r = await verify(dir);
    expect(r.code, r.line).to.equal(1);
    expect(r.line).to.match(new RegExp(`^event ${target.event_id} at position ${cut + 1} \\(leaf ${cut}\\) is not where it was sealed`));
    const against = await verify(dir, '--checkpoint', savedCheckpoint);
    expect(against.code).to.equal(1);
    expect(against.line).to.equal(r.line);
  });

  it('leaves lost after an earlier checkpoint (what a power cut may take: leaves commit without an fsync, checkpoints with one): the restarted service takes them again from the log and signs the very checkpoint it had; verify exits 0', async () => {
    const dir = copy();
    const earlier = withFile(dir, 'ledger.db', (db) => {
      const sizes = db.prepare<[], number>('SELECT size FROM checkpoints ORDER BY seq').pluck().all();
      expect(sizes.length, 'checkpoints signed while the base chatted').to.be.greaterThan(1);
      const size = sizes[sizes.length - 2] ?? 0;
      db.prepare('DELETE FROM checkpoints WHERE size > ?').run(size);
      db.prepare('DELETE FROM leaves WHERE idx >= ?').run(size);
      db.prepare('DELETE FROM nodes WHERE ((idx + 1) << level) > ?').run(size);
      return size;
    });
    expect(earlier).to.be.within(1, sealedSize - 1);
    const svc = await serve(dir);
    try {
      expect(await sealedToHead(svc)).to.equal(sealedSize);
      // The same leaves again: the same root, and Ed25519 signs it into the same note.
      expect(await checkpointNow(svc)).to.equal(readFileSync(savedCheckpoint, 'utf8'));
    } finally {
      await svc.stop();
    }
    const r = await verify(dir);
    expect(r.code, r.line).to.equal(0);
    const against = await verify(dir, '--checkpoint', savedCheckpoint);
    expect(against.code, against.line).to.equal(0);
  });

  it('a rewind re-signed from scratch (tail cut, ledger.db removed, new events sealed): only verify --checkpoint with the earlier checkpoint catches it', async () => {
    const dir = copy();
    withEvents(dir, (db) => cutTail(db, 12));
    for (const f of readdirSync(dir)) if (f.startsWith('ledger.db')) rmSync(join(dir, f));
    dropDerived(dir);
    const svc = await serve(dir);
    try {
      await chatter(svc, 20, 'rewound');
      expect(await sealedToHead(svc)).to.be.greaterThan(sealedSize);
    } finally {
      await svc.stop();
    }
    // The operator's own ledger agrees with the rewritten log: nothing local contradicts it.
    const local = await verify(dir);
    expect(local.code, local.line).to.equal(0);
    const against = await verify(dir, '--checkpoint', savedCheckpoint);
    expect(against.code, against.line).to.equal(1);
    expect(against.line).to.match(
      new RegExp(`^checkpoint .*saved-checkpoint.* \\(${sealedSize} events\\): the log's first ${sealedSize} events give root \\S+, not its \\S+$`),
    );
  });

  it('prove prints an inclusion proof of a sealed event, and fails (1) for an unknown one; key prints the verifier key', async () => {
    const dir = copy();
    const row = withEvents(dir, (db) => rowAt(db, nthMessage(db, 3)));
    const proved = await ledger(dir, 'prove', row.event_id);
    expect(proved.code, proved.stderr).to.equal(0);
    const proof: unknown = JSON.parse(proved.stdout);
    expect(proof).to.include({ index: row.position - 1, size: sealedSize });
    const unknown = await ledger(dir, 'prove', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr.trim()).to.equal('ledger: no event 00000000-0000-4000-8000-000000000000 in the ledger');
    const key = await ledger(dir, 'key');
    expect(key.code, key.stderr).to.equal(0);
    expect(key.stdout).to.match(/^chat-events\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
  });
});
