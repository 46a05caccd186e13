import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { LogConsumer } from '../../src/application/log/consumer.js';
import { LogProcessor } from '../../src/application/log/log-processor.js';
import { pagesOf } from '../../src/application/log/log-reader.js';
import { storedPagesOf } from '../../src/application/log/stored-pages.js';
import { toNewEvent, type Stored } from '../../src/application/log/stored.js';
import type { Position } from '../../src/application/ports/event-store.js';
import type { PositionedChanges, ReadModelStore } from '../../src/application/ports/read-model.js';
import { readModelConsumer } from '../../src/application/read-models/projection.js';
import { blocksEvents } from '../../src/domain/blocks/blocks.js';
import { userEvents } from '../../src/domain/user/user.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { memoryKeys } from '../support/memory-keys.js';
import { sleep } from '../support/wait.js';

const AT = '2026-01-01T00:00:00.000Z';
const meta = { correlationId: 'c', timestamp: AT };
const { personal } = memoryKeys();
let ids = 0;
const id = () => `00000000-0000-7000-8000-${(++ids).toString(16).padStart(12, '0')}`;
const registered = (n: number) =>
  toNewEvent(
    userEvents,
    { type: 'UserRegistered', data: { userId: `u${n}`, username: `user${n}`, nickname: `user${n}`, avatar: '', at: AT } },
    meta,
    id(),
    personal,
  );
const blocked = (n: number) => toNewEvent(blocksEvents, { type: 'UserBlocked', data: { userId: `u${n}`, blockedId: 'x', at: AT } }, meta, id(), personal);

const commits = (events: readonly Stored[]) => events.map((e) => Number(e.recorded.position.commit));

/** A read-model store that only records what it is asked to apply (applies take no time). */
const recordingStore = (apply: (batch: readonly PositionedChanges[]) => Promise<void> = async () => undefined) => {
  const batches: number[][] = [];
  let checkpoint: Position | undefined;
  const store: Pick<ReadModelStore, 'apply' | 'checkpoint'> = {
    apply: async (_p, batch) => {
      await apply(batch);
      batches.push(batch.map((b) => Number(b.position.commit)));
      checkpoint = batch[batch.length - 1]?.position ?? checkpoint;
    },
    checkpoint: async () => checkpoint,
  };
  return { store, batches, checkpoint: () => checkpoint };
};

/** A consumer that records each batch it is handed. */
const recorder = (name: string, o: Partial<LogConsumer> = {}) => {
  const seen: Stored[] = [];
  const batches: number[] = [];
  let position: Position | undefined;
  const consumer: LogConsumer = {
    name,
    resumeAfter: async () => position,
    handle: async (events, through) => {
      seen.push(...events);
      batches.push(events.length);
      position = through;
    },
    ...o,
  };
  return { consumer, seen, batches };
};

describe('LogProcessor: the one way to follow the log', () => {
  let dir: string;
  let log: SqliteEventStore;
  let processor: LogProcessor;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'processor-'));
    log = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    processor = new LogProcessor(log, personal, createLogger('silent'), { queueLimit: 50 });
    await processor.start();
  });
  afterEach(async () => {
    await processor.stop();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const head = async (): Promise<Position> => {
    const h = await log.headPosition();
    if (h === undefined) throw new Error('empty log');
    return h;
  };

  /** Runs `r` with each batch taking 20 ms until `fast()`: it falls behind the live feed. */
  const runSlowly = (r: ReturnType<typeof recorder>) => {
    let slow = true;
    const run = processor.run({
      ...r.consumer,
      handle: async (events, through) => {
        if (slow) await sleep(20);
        await r.consumer.handle(events, through);
      },
    });
    return { run, fast: () => void (slow = false) };
  };

  it('catches a consumer up from the start, then hands it live events: each once, in order, while appends go on', async () => {
    for (let i = 1; i <= 30; i++) await log.append(`user-u${i}`, [await registered(i)], 'no_stream');
    const r = recorder('late');
    const run = processor.run(r.consumer);
    const appending = (async () => {
      for (let i = 31; i <= 60; i++) await log.append(`user-u${i}`, [await registered(i)], 'no_stream');
    })();
    await appending;
    expect(await run.tracker.waitFor(await head(), 5000)).to.equal(true);
    expect(commits(r.seen)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('decodes each live event once for every consumer: they are handed the very same object', async () => {
    const [a, b] = [recorder('a'), recorder('b')];
    const [runA, runB] = [processor.run(a.consumer), processor.run(b.consumer)];
    await Promise.all([runA.started, runB.started]);
    for (let i = 1; i <= 5; i++) await log.append(`user-u${i}`, [await registered(i)], 'no_stream');
    const h = await head();
    expect(await runA.tracker.waitFor(h, 5000)).to.equal(true);
    expect(await runB.tracker.waitFor(h, 5000)).to.equal(true);
    expect(a.seen).to.have.length(5);
    a.seen.forEach((s, i) => expect(s, `event ${i + 1}`).to.equal(b.seen[i]));
  });

  it('a consumer of some types gets only those, yet stands past the others (its tracker reaches the head)', async () => {
    const r = recorder('blocks only', { eventTypes: ['UserBlocked'] });
    const run = processor.run(r.consumer);
    await log.append('blocks-u1', [await blocked(1)], 'no_stream');
    await log.append('user-u2', [await registered(2)], 'no_stream');
    expect(await run.tracker.waitFor(await head(), 5000)).to.equal(true);
    expect(r.seen.map((s) => s.event.type)).to.deep.equal(['UserBlocked']);
  });

  it('a consumer that falls behind the live feed reads the log instead, and still gets every event once', async () => {
    const r = recorder('slow', { batching: { max: 5 } });
    const { run, fast } = runSlowly(r);
    await run.started;
    // 200 events: four times the queue limit, while each batch of 5 takes 20 ms.
    for (let i = 1; i <= 200; i++) await log.append(`user-u${i}`, [await registered(i)], 'no_stream');
    fast();
    expect(await run.tracker.waitFor(await head(), 10_000)).to.equal(true);
    expect(commits(r.seen)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('a consumer of some types, idle through the others and falling behind on its own, still gets each of its events once', async () => {
    const r = recorder('blocks only, slow', { eventTypes: ['UserBlocked'], batching: { max: 5 } });
    const { run, fast } = runSlowly(r);
    await run.started;
    // Runs of events it does not take between its own, more of its own than the queue holds, and
    // two it does not take at the head: its tracker must stand past them too.
    const expected: number[] = [];
    for (let i = 1; i <= 242; i++) {
      const event = i % 3 === 0 ? await blocked(i) : await registered(i);
      await log.append(`s-${i}`, [event], 'no_stream');
      if (i % 3 === 0) expected.push(i);
      if (i === 32) expect(await run.tracker.waitFor(await head(), 5000), 'past the others while idle').to.equal(true);
    }
    fast();
    expect(await run.tracker.waitFor(await head(), 10_000)).to.equal(true);
    expect(commits(r.seen)).to.deep.equal(expected);
  });

  it('spaces a consumer’s batches under load: events arriving meanwhile join the next one, none lost or reordered', async () => {
    const { store, batches } = recordingStore();
    const run = processor.run(readModelConsumer({ name: 'p', target: () => store as ReadModelStore, batching: { max: 5000, spacingMs: 200 } }));
    await run.started;
    // 20 appends, each in a turn of its own, well within one 200 ms interval after the first commit.
    for (let i = 1; i <= 20; i++) {
      await log.append(`user-u${i}`, [await registered(i)], 'no_stream');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await run.tracker.waitFor(await head(), 5000)).to.equal(true);
    expect(batches.flat()).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    // The first event is committed alone; the rest waited for the interval and went together.
    expect(batches.length).to.be.at.most(3);
  });

  it('ends the spacing as soon as someone waits for the consumer: read-your-writes never pays for it', async () => {
    const { store, batches } = recordingStore();
    const run = processor.run(readModelConsumer({ name: 'p', target: () => store as ReadModelStore, batching: { max: 5000, spacingMs: 60_000 } }));
    await run.started;
    await log.append('user-u1', [await registered(1)], 'no_stream');
    expect(await run.tracker.waitFor(await head(), 5000)).to.equal(true);
    // The next batch is a minute away, unless someone waits.
    await log.append('user-u2', [await registered(2)], 'no_stream');
    await sleep(100);
    expect(batches.flat()).to.deep.equal([1]);
    const started = Date.now();
    expect(await run.tracker.waitFor(await head(), 5000)).to.equal(true);
    expect(Date.now() - started).to.be.below(2000);
    expect(batches).to.deep.equal([[1], [2]]);
  });

  it('a fault after progress is retried at once: the back-off does not grow with faults already recovered from', async () => {
    // Every batch fails once, then succeeds (a lock another node held past the busy timeout).
    let failNext = true;
    const { store, checkpoint } = recordingStore(async () => {
      if (failNext) {
        failNext = false;
        throw new Error('database is locked');
      }
      failNext = true;
    });
    const run = processor.run(readModelConsumer({ name: 'p', target: () => store as ReadModelStore, batching: { max: 5000 } }));
    await run.started;
    // Ten faults in a row would wait 100 ms · 2^9 by now; each one after progress waits 100 ms.
    for (let i = 1; i <= 10; i++) {
      await log.append(`user-u${i}`, [await registered(i)], 'no_stream');
      expect(await run.tracker.waitFor(await head(), 1500), `event ${i} projected`).to.equal(true);
    }
    expect(checkpoint()?.commit).to.equal(10n);
  });

  it('a failing consumer is in the failed state with its fault (readiness), and starts again from where it resumes', async () => {
    let fail = true;
    const r = recorder('flaky');
    const run = processor.run({
      ...r.consumer,
      handle: async (events, through) => {
        if (fail) throw new Error('store unreachable');
        await r.consumer.handle(events, through);
      },
    });
    await log.append('user-u1', [await registered(1)], 'no_stream');
    for (let i = 0; i < 100 && run.state !== 'failed'; i++) await sleep(10);
    expect(run.state).to.equal('failed');
    expect(run.error?.message).to.equal('store unreachable');
    fail = false;
    expect(await run.tracker.waitFor(await head(), 5000)).to.equal(true);
    expect(run.error).to.equal(undefined);
    expect(commits(r.seen)).to.deep.equal([1]);
  });
});

describe('LogProcessor.pages: the live tail’s latest events, kept decoded', () => {
  let dir: string;
  let log: SqliteEventStore;
  let processor: LogProcessor;
  let fed: ReturnType<typeof recorder>;
  const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
  const open = async (recentEvents: number) => {
    dir = mkdtempSync(join(tmpdir(), 'recent-'));
    log = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    processor = new LogProcessor(log, personal, createLogger('silent'), { recentEvents });
    await processor.start();
    // What the feed decoded: a consumer is handed the very objects the window keeps.
    fed = recorder('fed');
    await processor.run(fed.consumer).started;
  };
  const append = async (from: number, to: number) => {
    for (let i = from; i <= to; i++) await log.append(`user-u${i}`, [await registered(i)], 'no_stream');
    const h = await log.headPosition();
    if (h === undefined) throw new Error('empty log');
    return h;
  };
  const fedThrough = async (from: number, to: number) => {
    const h = await append(from, to);
    expect(await processor.run(recorder(`caught up to ${to}`).consumer).tracker.waitFor(h, 5000)).to.equal(true);
    for (let i = 0; i < 100 && fed.seen.length < to; i++) await sleep(10);
    expect(commits(fed.seen)).to.deep.equal(Array.from({ length: to }, (_, i) => i + 1));
  };
  /** Each page's commits, and which of its events are the objects the feed decoded. */
  const passOf = async (range: Parameters<LogProcessor['pages']>[0]) => {
    const pages: { commits: number[]; through: number; fromFeed: boolean[] }[] = [];
    for await (const page of processor.pages(range))
      pages.push({ commits: commits(page.events), through: Number(page.through.commit), fromFeed: page.events.map((e) => fed.seen.includes(e)) });
    return pages;
  };
  afterEach(async () => {
    await processor.stop();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a pass that starts within them takes the events the feed decoded, in pages, and the same events as the store holds', async () => {
    await open(10);
    await fedThrough(1, 8);
    const pages = await passOf({ after: at(3), pageSize: 2 });
    expect(pages.map((p) => p.commits)).to.deep.equal([[4, 5], [6, 7], [8]]);
    expect(pages.map((p) => p.through)).to.deep.equal([5, 7, 8]);
    expect(pages.flatMap((p) => p.fromFeed)).to.deep.equal([true, true, true, true, true]);
    const fromStore: Stored[] = [];
    for await (const page of storedPagesOf(log, personal, { after: at(3) })) fromStore.push(...page.events);
    const events = (await passOf({ after: at(3) })).flatMap((p) => p.commits);
    expect(events).to.deep.equal(commits(fromStore));
    expect(fed.seen.slice(3).map((s) => s.opened)).to.deep.equal(fromStore.map((s) => s.opened));
  });

  it('keeps only the latest events: a pass from before them reads the store, one from within them does not', async () => {
    await open(5);
    await fedThrough(1, 12);
    const fromOld = await passOf({ after: at(2) });
    expect(fromOld.flatMap((p) => p.commits)).to.deep.equal(Array.from({ length: 10 }, (_, i) => i + 3));
    expect(fromOld.flatMap((p) => p.fromFeed).some(Boolean), 'read from the store').to.equal(false);
    // The window holds 8 to 12: it covers a pass after 7, not one after 6.
    expect((await passOf({ after: at(7) })).flatMap((p) => p.fromFeed)).to.deep.equal([true, true, true, true, true]);
    expect((await passOf({ after: at(6) })).flatMap((p) => p.fromFeed).some(Boolean)).to.equal(false);
    expect((await passOf({ after: at(9), until: at(11) })).map((p) => p.commits)).to.deep.equal([[10, 11]]);
  });

  it('a pass takes what the feed has not reached yet from the store: every event once, in order', async () => {
    await open(1000);
    await fedThrough(1, 3);
    // Appended without waiting for the feed: the pass meets the window's end somewhere among them.
    const appending = append(4, 60);
    const seenDuring: number[][] = [];
    while (seenDuring.length < 20) {
      seenDuring.push((await passOf({ after: at(1) })).flatMap((p) => p.commits));
      await sleep(5);
    }
    await appending;
    for (const events of seenDuring) expect(events).to.deep.equal(Array.from({ length: events.length }, (_, i) => i + 2));
    expect((await passOf({ after: at(1) })).flatMap((p) => p.commits)).to.deep.equal(Array.from({ length: 59 }, (_, i) => i + 2));
  });

  it('a user’s keys destroyed empty it: what it held was opened with them, so passes read the store again', async () => {
    await open(10);
    await fedThrough(1, 5);
    expect((await passOf({ after: at(2) })).flatMap((p) => p.fromFeed)).to.deep.equal([true, true, true]);
    personal.forgetUser('u4');
    const pages = await passOf({ after: at(2) });
    expect(pages.flatMap((p) => p.commits)).to.deep.equal([3, 4, 5]);
    expect(pages.flatMap((p) => p.fromFeed).some(Boolean), 'read from the store').to.equal(false);
    // Events the feed decodes from then on are kept again.
    await fedThrough(6, 7);
    expect((await passOf({ after: at(5) })).flatMap((p) => p.fromFeed)).to.deep.equal([true, true]);
  });
});

describe('pagesOf: the one loop over the log’s pages', () => {
  let dir: string;
  let log: SqliteEventStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pages-'));
    log = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    for (let i = 1; i <= 25; i++) await log.append(`user-u${i}`, [await (i % 5 === 0 ? blocked(i) : registered(i))], 'no_stream');
  });
  after(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const collect = async (range: Parameters<typeof pagesOf>[1]) => {
    const pages: { commits: number[]; through: number }[] = [];
    for await (const page of pagesOf(log, range))
      pages.push({ commits: page.events.map((e) => Number(e.position.commit)), through: Number(page.through.commit) });
    return pages;
  };

  it('pages in log order', async () => {
    const pages = await collect({ pageSize: 10 });
    expect(pages.map((p) => p.commits.length)).to.deep.equal([10, 10, 5]);
    expect(pages.flatMap((p) => p.commits)).to.deep.equal(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('stops at `until`, and after a position', async () => {
    const pages = await collect({ pageSize: 10, after: { commit: 3n, prepare: 3n }, until: { commit: 13n, prepare: 13n } });
    expect(pages.flatMap((p) => p.commits)).to.deep.equal(Array.from({ length: 10 }, (_, i) => i + 4));
    expect(pages[pages.length - 1]?.through).to.equal(13);
  });

  it('a filtered pass stands at the head once done, past the events it skipped', async () => {
    const pages = await collect({ pageSize: 10, filter: { eventTypes: ['UserBlocked'] } });
    expect(pages.flatMap((p) => p.commits)).to.deep.equal([5, 10, 15, 20, 25].filter((n) => n <= 25));
    expect(pages[pages.length - 1]?.through).to.equal(25);
  });
});
