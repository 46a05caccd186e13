import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { SqliteReadModelStore } from '../../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { ev } from '../contract/event-store.contract.js';
import { EventLog, feed, registered, user } from '../contract/read-model-fixtures.js';
import { waitUntil } from '../support/wait.js';

/**
 * The WAL frames committed and those copied into the database file, from the wal-index (the
 * -shm file, see SQLite's walformat: mxFrame at byte 16 of its header, nBackfill at byte 96).
 */
const walProgress = (db: string): { frames: number; backfilled: number } => {
  const shm = readFileSync(`${db}-shm`);
  return { frames: shm.readUInt32LE(16), backfilled: shm.readUInt32LE(96) };
};

const NEVER = 3_600_000;

/** With no commit meanwhile, only the checkpointer thread can get there. */
const everyFrameBackfilled = (db: string): Promise<void> =>
  waitUntil(
    () => {
      const p = walProgress(db);
      return p.frames > 0 && p.backfilled === p.frames;
    },
    5000,
    'the thread to checkpoint every frame',
  );

describe('WAL checkpointer thread', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const appendSome = async (store: SqliteEventStore, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await store.append(`s-${i % 7}`, [ev()], 'any');
  };

  it('checkpoints the event store without the writer: its commits never copy pages into the file', async () => {
    const path = join(dir, 'events.db');
    // The thread's first checkpoint an hour away: whatever is backfilled, a commit did it.
    const idle = SqliteEventStore.open({ path, synchronous: 'NORMAL', checkpointIntervalMs: NEVER });
    await appendSome(idle, 300);
    const before = walProgress(path);
    expect(before.frames).to.be.above(300);
    expect(before.backfilled).to.be.below(before.frames);
    await idle.close();

    const store = SqliteEventStore.open({ path, synchronous: 'NORMAL', checkpointIntervalMs: 10 });
    try {
      await appendSome(store, 300);
      // No further commit: only the thread can copy the frames.
      await everyFrameBackfilled(path);
    } finally {
      await store.close();
    }
    // Its connection closed before the writer's: the last close checkpointed and dropped the WAL.
    expect(existsSync(`${path}-wal`)).to.equal(false);
    const reopened = SqliteEventStore.open({ path });
    try {
      expect(await reopened.headPosition()).to.deep.include({ commit: 600n });
    } finally {
      await reopened.close();
    }
  });

  it('with 0, leaves checkpoints to SQLite inside the commits, as before', async () => {
    const walBytesAfter = async (checkpointIntervalMs: number, name: string): Promise<number> => {
      const path = join(dir, name);
      const store = SqliteEventStore.open({ path, synchronous: 'NORMAL', checkpointIntervalMs });
      try {
        await appendSome(store, 1500);
        return statSync(`${path}-wal`).size;
      } finally {
        await store.close();
      }
    };
    // Without the thread or SQLite's checkpoints the WAL holds every frame; with SQLite's, the
    // commit that crosses 1,000 pages checkpoints and the WAL starts over.
    const unchecked = await walBytesAfter(NEVER, 'unchecked.db');
    const bySqlite = await walBytesAfter(0, 'sqlite.db');
    expect(unchecked).to.be.above(3000 * 4096);
    expect(bySqlite).to.be.below(1200 * 4200);
  });

  it('checkpoints the read models too', async () => {
    const path = join(dir, 'readmodels.db');
    const store = SqliteReadModelStore.open({ path, checkpointIntervalMs: 10 });
    try {
      const log = new EventLog();
      for (let i = 0; i < 50; i++) await feed(store, log, registered(user(`u${i}`), i + 1));
      await everyFrameBackfilled(path);
      expect((await store.userByUsername('u49'))?.userId).to.equal('id-u49');
    } finally {
      await store.close();
    }
  });
});
