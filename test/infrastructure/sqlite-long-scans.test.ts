import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Position } from '../../src/application/ports/event-store.js';
import { positionOf } from '../../src/application/ports/position.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { dropPageCache } from '../../src/infrastructure/shared/page-cache.js';
import { ev, take } from '../contract/event-store.contract.js';
import { sleep, waitUntil } from '../support/wait.js';

/** A store whose page-cache drops are counted instead of made; a scan of 200 positions is long. */
const countingStore = (path: string, extra: { pollIntervalMs?: number } = {}): { store: SqliteEventStore; drops: () => number } => {
  let drops = 0;
  const store = SqliteEventStore.open({
    path,
    pageSize: 50,
    longScanPositions: 200,
    dropPageCache: async () => {
      drops += 1;
    },
    ...extra,
  });
  return { store, drops: () => drops };
};

const appendMany = async (store: SqliteEventStore, n: number): Promise<void> => {
  for (let i = 0; i < n; i += 100) {
    await store.append(
      `s-${i}`,
      Array.from({ length: Math.min(100, n - i) }, () => ev()),
      'no_stream',
    );
  }
};

describe('SqliteEventStore drops its file from the page cache after a long scan', function () {
  this.timeout(30_000);
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-scan-'));
    path = join(dir, 'events.db');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('once a subscription has caught up from the start of a long log', async () => {
    const { store, drops } = countingStore(path);
    await appendMany(store, 300);
    expect(drops()).to.equal(0);
    const seen = await take(store.subscribeAll(), 300);
    expect(seen).to.have.length(300);
    await waitUntil(() => drops() === 1, 2000, 'one drop');
    await store.close();
    expect(drops()).to.equal(1);
  });

  it('once a paged readAll reaches the end; not for a scan shorter than the threshold', async () => {
    const { store, drops } = countingStore(path);
    await appendMany(store, 300);
    const pages = async (from: number): Promise<number> => {
      let after = from === 0 ? undefined : positionOf(from);
      let read = 0;
      for (;;) {
        const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 40 });
        read += page.length;
        after = page.at(-1)?.position ?? after;
        if (page.length < 40) return read;
      }
    };
    expect(await pages(150)).to.equal(150);
    await sleep(50);
    expect(drops()).to.equal(0);
    expect(await pages(0)).to.equal(300);
    await waitUntil(() => drops() === 1, 2000, 'one drop');
    await store.close();
    expect(drops()).to.equal(1);
  });

  it('never for filtered reads, live events, or another node following the log a few events at a time', async () => {
    const { store, drops } = countingStore(path);
    const other = countingStore(path, { pollIntervalMs: 10 });
    try {
      const head = await store.headPosition();
      expect(head).to.equal(undefined);
      const live = store.subscribeAll();
      const remote = other.store.subscribeAll();
      const seen = Promise.all([take(live, 400), take(remote, 400)]);
      for (let i = 0; i < 400; i += 4) {
        await store.append(`live-${i}`, [ev(), ev(), ev(), ev()], 'no_stream');
        await sleep(1);
      }
      const [mine, theirs] = await seen;
      expect(mine).to.have.length(400);
      expect(theirs).to.have.length(400);
      expect(await store.readAll({ filter: { eventTypes: ['ContractTested'] } })).to.have.length(400);
      await sleep(50);
      expect(drops()).to.equal(0);
      expect(other.drops()).to.equal(0);
    } finally {
      await other.store.close();
      await store.close();
    }
  });

  it('at close, after a long scan that stopped before the end', async () => {
    const { store, drops } = countingStore(path);
    await appendMany(store, 400);
    let after: Position | undefined;
    for (let i = 0; i < 6; i++) {
      const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 50 });
      after = page.at(-1)?.position;
    }
    await sleep(50);
    expect(drops()).to.equal(0);
    await store.close();
    expect(drops()).to.equal(1);
  });
});

/** Bytes of `path` resident in the page cache, by util-linux fincore; undefined where it cannot tell. */
const residentBytes = (path: string): number | undefined => {
  try {
    return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
};

describe('dropPageCache', () => {
  it('leaves none of a file in the page cache', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'page-cache-'));
    try {
      const path = join(dir, 'file.db');
      writeFileSync(path, Buffer.alloc(8 << 20, 7));
      execFileSync('sync');
      readFileSync(path);
      const before = residentBytes(path);
      // fincore is Linux's, and tmpfs keeps every page resident whatever it is told.
      const tmpfs = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim() === 'tmpfs';
      if (before === undefined || before === 0 || tmpfs) this.skip();
      expect(await dropPageCache(path)).to.equal(true);
      expect(residentBytes(path)).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers false, without throwing, for a file that does not exist', async () => {
    expect(await dropPageCache('/nonexistent/dir/file.db')).to.equal(false);
  });
});
