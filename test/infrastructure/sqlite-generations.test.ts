import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { PositionedChanges, ReadModelStore } from '../../src/application/ports/read-model.js';
import { positionOf } from '../../src/application/ports/position.js';
import { projectEvent } from '../../src/application/features.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { SqliteReadModelGenerations } from '../../src/infrastructure/readmodel/sqlite/sqlite-generations.js';
import { SqliteReadModelStore } from '../../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { openReadModelGenerations, openReadModels } from '../../src/infrastructure/stores/open-read-models.js';
import { ALICE, CHAT_AB, PROJECTION, scriptedHistory, snapshot, type Script } from '../contract/read-model-fixtures.js';

const WRITER = new URL('./fixtures/readmodel-writer.js', import.meta.url);
const GENERATED = /^readmodels-\d+-[0-9a-f]{8}\.db$/;

/** The scripted history, projected as a live node would (projectEvent per event). */
const projected = (script: Script): PositionedChanges[] =>
  script.log.events.map((e) => ({ position: e.position, changes: projectEvent(e.event, { eventId: e.eventId, position: e.position, erased: false }) }));

const rowCounts = (path: string): Record<string, number> => {
  const db = new Database(path, { readonly: true });
  try {
    const tables = ['users', 'chats', 'chat_members', 'messages', 'notifications', 'blocks', 'checkpoints'];
    return Object.fromEntries(tables.map((t) => [t, db.prepare<[], number>(`SELECT COUNT(*) FROM ${t}`).pluck().get() ?? 0]));
  } finally {
    db.close();
  }
};

/** A snapshot without the answers the writer thread's extra users change. */
const scriptAnswers = async (store: ReadModelStore, script: Script): Promise<Record<string, unknown>> => {
  const { userIdsAfter: _all, 'userIdsAfter page': _page, ...rest } = (await snapshot(store, script)) as Record<string, unknown>;
  return rest;
};

describe('SqliteReadModelGenerations', () => {
  let dir: string;
  const stores: ReadModelStore[] = [];
  const keep = <S extends ReadModelStore>(s: S): S => {
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'generations-'));
  });

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves readmodels.db in a data directory without a pointer, so existing data keeps working', async () => {
    const existing = SqliteReadModelStore.open({ path: join(dir, 'readmodels.db') });
    await existing.apply(PROJECTION, projected(scriptedHistory()).slice(0, 1));
    await existing.close();
    const generations = SqliteReadModelGenerations.open({ dataDir: dir });
    expect(await generations.current()).to.equal('readmodels.db');
    const store = keep(await generations.open('readmodels.db'));
    expect((await store.userById(ALICE.id))?.username).to.equal('alice');
    expect(existsSync(join(dir, 'readmodels.current'))).to.equal(false);
  });

  it('create() makes a new, empty generation beside the current one', async () => {
    const generations = SqliteReadModelGenerations.open({ dataDir: dir });
    const current = keep(await generations.open(await generations.current()));
    await current.apply(PROJECTION, projected(scriptedHistory()));
    const name = await generations.create();
    expect(name).to.match(GENERATED);
    expect(await generations.create(), 'two creates, two files').to.not.equal(name);
    expect(await generations.current()).to.equal('readmodels.db');
    const fresh = keep(await generations.open(name));
    expect(await fresh.checkpoint(PROJECTION)).to.equal(undefined);
    expect(await fresh.userIdsAfter(undefined, 10)).to.deep.equal([]);
    let refused = false;
    await generations.open('readmodels-1-00000000.db').catch(() => (refused = true));
    expect(refused, 'opening a generation that was never created').to.equal(true);
  });

  it('open(…, { bulkLoad }) loads without syncing, and close() leaves every row checkpointed into the file', async () => {
    const generations = SqliteReadModelGenerations.open({ dataDir: dir });
    const name = await generations.create();
    const path = join(dir, name);
    const bulk = await generations.open(name, { bulkLoad: true });
    // Another connection keeps the file open, so closing the bulk store does not remove the WAL by itself.
    const other = new Database(path, { readonly: true });
    other.prepare('SELECT COUNT(*) FROM users').get();
    try {
      await bulk.apply(PROJECTION, projected(scriptedHistory()));
      expect(statSync(`${path}-wal`).size, 'written to the WAL while loading').to.be.greaterThan(0);
      await bulk.close();
      expect(statSync(`${path}-wal`).size, 'checkpointed and truncated on close').to.equal(0);
    } finally {
      other.close();
    }
    expect(rowCounts(path))
      .to.include({ checkpoints: 1 })
      .and.satisfy((c: Record<string, number>) => (c['messages'] ?? 0) > 0);
    const again = keep(await generations.open(name));
    expect((await again.userById(ALICE.id))?.username).to.equal('alice');
  });

  it('create(copyFrom) copies rows and checkpoint consistently while another connection keeps writing', async () => {
    const script = scriptedHistory();
    const generations = SqliteReadModelGenerations.open({ dataDir: dir });
    const source = keep(await generations.open('readmodels.db'));
    await source.apply(PROJECTION, projected(script));
    const expected = await scriptAnswers(source, script);
    const after = script.log.events.length;
    const scriptUsers = (await source.userIdsAfter(undefined, 100)).length;

    const control = new Int32Array(new SharedArrayBuffer(8));
    const writer = new Worker(WRITER, { workerData: { path: join(dir, 'readmodels.db'), after, control } });
    const exited = new Promise<void>((resolve, reject) => {
      writer.once('error', reject);
      writer.once('exit', () => resolve());
    });
    const written = (): number => Atomics.load(control, 1);
    const until = async (n: number): Promise<void> => {
      while (written() < n) await new Promise((r) => setTimeout(r, 2));
    };
    const copies: string[] = [];
    const during: number[] = [];
    try {
      await until(after + 20);
      for (let i = 0; i < 5; i++) {
        const mark = written();
        copies.push(await generations.create('readmodels.db'));
        during.push(written() - mark);
        await until(mark + 20); // the writer carries on between (and during) copies
      }
    } finally {
      Atomics.store(control, 0, 1);
      await exited;
    }

    const positions: bigint[] = [];
    for (const name of copies) {
      const copy = keep(await generations.open(name));
      const checkpoint = await copy.checkpoint(PROJECTION);
      expect(checkpoint, name).to.not.equal(undefined);
      const n = checkpoint?.commit ?? 0n;
      positions.push(n);
      // Rows and checkpoint from one snapshot: exactly the writer's users up to the checkpoint.
      const users = await copy.userIdsAfter(undefined, 100_000);
      expect(users.length, `${name} at ${n}`).to.equal(scriptUsers + Number(n) - after);
      expect(await copy.userById(`w-${n}`), name).to.not.equal(undefined);
      expect(await copy.userById(`w-${n + 1n}`), name).to.equal(undefined);
      expect(await scriptAnswers(copy, script), name).to.deep.equal(expected);
    }
    expect(
      positions.every((p, i) => i === 0 || p > (positions[i - 1] ?? 0n)),
      `copies at ${positions.join(', ')}`,
    ).to.equal(true);
    expect(Math.max(...during), 'the writer committed while a copy ran: nothing blocked it').to.be.greaterThan(0);
    expect(
      readdirSync(dir).filter((f) => f.endsWith('.partial')),
      'no partial copy left',
    ).to.deep.equal([]);
    expect(await generations.current(), 'copying switches nothing').to.equal('readmodels.db');
  });

  it('switchTo moves the pointer atomically, as a second instance on the same directory sees', async () => {
    const first = SqliteReadModelGenerations.open({ dataDir: dir });
    const second = SqliteReadModelGenerations.open({ dataDir: dir });
    keep(await first.open(await first.current())); // a node serving the default generation
    const next = await first.create();
    await first.switchTo(next);
    expect(await second.current()).to.equal(next);
    expect(readFileSync(join(dir, 'readmodels.current'), 'utf8').trim()).to.equal(next);
    expect(
      readdirSync(dir).filter((f) => f.includes('.tmp')),
      'no temporary pointer left',
    ).to.deep.equal([]);

    // What a node opens at start-up follows the pointer too.
    const config = loadConfig({ DATA_DIR: dir });
    const served = keep(await openReadModels(config));
    await served.apply(PROJECTION, projected(scriptedHistory()));
    const viaGenerations = await openReadModelGenerations(config);
    expect(await viaGenerations.current()).to.equal(next);
    expect(await keep(await viaGenerations.open(next)).chat(CHAT_AB)).to.not.equal(undefined);
    expect(rowCounts(join(dir, 'readmodels.db')).chats, 'the old generation untouched').to.equal(0);

    await second.switchTo('readmodels.db');
    expect(await first.current()).to.equal('readmodels.db');
    let refused = 0;
    await first.switchTo('readmodels-1-00000000.db').catch(() => (refused += 1));
    await first.switchTo('../elsewhere.db').catch(() => (refused += 1));
    expect(refused, 'unknown generation, not a generation name').to.equal(2);
    expect(await second.current()).to.equal('readmodels.db');
  });

  it('refuses a pointer that names no generation', async () => {
    writeFileSync(join(dir, 'readmodels.current'), '../../etc/passwd\n');
    let refused = false;
    await SqliteReadModelGenerations.open({ dataDir: dir })
      .current()
      .catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  it('drops a generation with its -wal and -shm, but never the current one', async () => {
    const generations = SqliteReadModelGenerations.open({ dataDir: dir });
    keep(await generations.open(await generations.current()));
    const other = await generations.create();
    const open = keep(await generations.open(other));
    await open.apply(PROJECTION, projected(scriptedHistory()).slice(0, 3));
    // Left open: a connection keeps its -wal and -shm, which the drop must take too.
    expect(existsSync(join(dir, `${other}-wal`)), 'WAL in use').to.equal(true);

    await generations.switchTo(other);
    let refused = false;
    await generations.drop(other).catch(() => (refused = true));
    expect(refused, 'the current generation').to.equal(true);
    expect(existsSync(join(dir, other))).to.equal(true);

    await generations.switchTo('readmodels.db');
    await generations.drop(other);
    expect(readdirSync(dir).filter((f) => f.startsWith(other))).to.deep.equal([]);
    let traversal = false;
    await generations.drop('../readmodels.db').catch(() => (traversal = true));
    expect(traversal).to.equal(true);
  });

  it('reset(groups) deletes only those groups’ rows, and every checkpoint', async () => {
    const path = join(dir, 'readmodels.db');
    const store = keep(SqliteReadModelStore.open({ path }));
    await store.apply(PROJECTION, projected(scriptedHistory()));
    await store.apply('other', [{ position: positionOf(1), changes: [] }]);
    const before = rowCounts(path);
    expect(
      Object.values(before).every((n) => n > 0),
      JSON.stringify(before),
    ).to.equal(true);

    await store.reset(['chats']);
    expect(rowCounts(path)).to.deep.equal({ ...before, chats: 0, chat_members: 0, messages: 0, checkpoints: 0 });
    await store.reset(['users', 'blocks']);
    expect(rowCounts(path)).to.deep.equal({ ...before, chats: 0, chat_members: 0, messages: 0, users: 0, blocks: 0, checkpoints: 0 });
    await store.reset(['notifications']);
    expect(Object.values(rowCounts(path)).every((n) => n === 0)).to.equal(true);

    await store.apply(PROJECTION, projected(scriptedHistory()));
    await store.reset([]);
    expect(rowCounts(path), 'no group: only the checkpoints').to.deep.equal({ ...before, checkpoints: 0 });
    await store.reset();
    expect(
      Object.values(rowCounts(path)).every((n) => n === 0),
      'no argument: everything',
    ).to.equal(true);
  });
});
