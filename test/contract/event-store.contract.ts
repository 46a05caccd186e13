import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent, Position, RecordedEvent, Subscription } from '../../src/application/ports/event-store.js';
import { comparePositions } from '../../src/application/ports/position.js';
import type { JsonObject } from '../../src/domain/shared/json.js';
import { waitUntil } from '../support/wait.js';

export interface ContractHarness {
  readonly store: EventStore;
  /**
   * Opens the same data again. The durability test closes `store` first and closes the store
   * that reopen returns itself; `cleanup` must therefore tolerate an already closed `store`.
   */
  readonly reopen?: () => Promise<EventStore>;
  /** Another process (node) on the same data, open alongside `store`; the test closes it. */
  readonly otherNode?: () => Promise<EventStore>;
  readonly cleanup: () => Promise<void>;
}

/**
 * Behaviour every EventStore adapter must have. Each test works on its own uniquely named
 * streams and event types, and every assertion on the global log is filtered on them, so the
 * suite also runs against a shared EventStoreDB whose log already holds other events.
 */
export function eventStoreContract(name: string, make: () => Promise<ContractHarness>): void {
  describe(`EventStore contract: ${name}`, function () {
    this.timeout(30_000);

    let harness: ContractHarness;
    let store: EventStore;
    /** Unique per test: `ct<hex>-`. */
    let prefix: string;
    let start: Position | undefined;
    const mine = (): { streamPrefixes: readonly string[] } => ({ streamPrefixes: [prefix] });

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
      prefix = `ct${hex()}-`;
      start = await store.headPosition();
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    describe('append', () => {
      it('appends to a new stream with no_stream and reads the events back', async () => {
        const s = `${prefix}s`;
        const events = [ev('Opened', { n: 1 }), ev('Changed', { n: 2, nested: { list: [1, 'a', null, true] } })];
        const r = appended(await store.append(s, events, 'no_stream'));
        expect(r.nextRevision).to.equal(1);

        const read = await store.readStream(s);
        expect(read.map((e) => e.revision)).to.deep.equal([0, 1]);
        read.forEach((e, i) => {
          const sent = events[i];
          expect(e.streamId).to.equal(s);
          expect(e.id).to.equal(sent?.id);
          expect(e.type).to.equal(sent?.type);
          expect(e.data).to.deep.equal(sent?.data);
          expect(e.metadata).to.deep.equal(sent?.metadata);
        });
        const last = read[1];
        expect(last !== undefined && comparePositions(last.position, r.position)).to.equal(0);
      });

      it('accepts any, stream_exists and the exact current revision', async () => {
        const s = `${prefix}s`;
        expect(appended(await store.append(s, [ev()], 'any')).nextRevision).to.equal(0);
        expect(appended(await store.append(s, [ev()], 'stream_exists')).nextRevision).to.equal(1);
        expect(appended(await store.append(s, [ev(), ev()], 1)).nextRevision).to.equal(3);
        expect(appended(await store.append(s, [ev()], 'any')).nextRevision).to.equal(4);
        expect((await store.readStream(s)).map((e) => e.revision)).to.deep.equal([0, 1, 2, 3, 4]);
      });

      it('returns a typed Conflict for no_stream on an existing stream', async () => {
        const s = `${prefix}s`;
        await store.append(s, [ev()], 'no_stream');
        expect(await store.append(s, [ev()], 'no_stream')).to.deep.equal(conflict(s, 'no_stream', 0));
      });

      it('returns a typed Conflict for stream_exists on a missing stream', async () => {
        const s = `${prefix}s`;
        expect(await store.append(s, [ev()], 'stream_exists')).to.deep.equal(conflict(s, 'stream_exists', 'no_stream'));
        expect(await store.readStream(s)).to.deep.equal([]);
      });

      it('returns a typed Conflict for a stale or future revision', async () => {
        const s = `${prefix}s`;
        await store.append(s, [ev(), ev(), ev()], 'no_stream');
        expect(await store.append(s, [ev()], 0)).to.deep.equal(conflict(s, 0, 2));
        expect(await store.append(s, [ev()], 5)).to.deep.equal(conflict(s, 5, 2));
        expect(await store.readStream(s)).to.have.length(3);
      });

      it('returns a typed Conflict for a revision on a missing stream', async () => {
        const s = `${prefix}s`;
        expect(await store.append(s, [ev()], 0)).to.deep.equal(conflict(s, 0, 'no_stream'));
      });

      it('decides concurrent appends with the same expected revision for exactly one', async () => {
        const s = `${prefix}s`;
        await store.append(s, [ev()], 'no_stream');
        const results = await Promise.all([1, 2, 3, 4, 5].map(() => store.append(s, [ev()], 0)));
        expect(results.filter((r) => r._tag === 'Appended')).to.have.length(1);
        for (const r of results.filter((x) => x._tag === 'Conflict')) expect(r).to.deep.equal(conflict(s, 0, 1));
        expect(await store.readStream(s)).to.have.length(2);
      });
    });

    describe('idempotent append', () => {
      it('acknowledges the same batch again without storing duplicates', async () => {
        const s = `${prefix}s`;
        const batch = [ev(), ev()];
        const first = appended(await store.append(s, batch, 'no_stream'));
        expect(first.nextRevision).to.equal(1);
        expect(appended(await store.append(s, batch, 'no_stream')).nextRevision).to.equal(1);
        expect(appended(await store.append(s, batch, 'any')).nextRevision).to.equal(1);

        expect((await store.readStream(s)).map((e) => e.id)).to.deep.equal(batch.map((e) => e.id));
        const all = await store.readAll({ after: start, filter: mine() });
        expect(all.map((e) => e.id)).to.deep.equal(batch.map((e) => e.id));
      });
    });

    describe('positions', () => {
      it('increase strictly across streams, in append order', async () => {
        const streams = ['a', 'b', 'c'].map((x) => `${prefix}${x}`);
        const order: string[] = [];
        const positions: Position[] = [];
        for (let i = 0; i < 9; i++) {
          const s = streams[i % 3] ?? '';
          const e = ev();
          order.push(e.id);
          positions.push(appended(await store.append(s, [e], 'any')).position);
        }
        expectIncreasing(positions);
        const all = await store.readAll({ after: start, filter: mine() });
        expect(all.map((e) => e.id)).to.deep.equal(order);
        expectIncreasing(all.map((e) => e.position));
        const head = await store.headPosition();
        const last = positions[positions.length - 1];
        expect(head !== undefined && last !== undefined && comparePositions(head, last) >= 0).to.equal(true);
      });
    });

    describe('readStream', () => {
      it('honours fromRevision and maxCount', async () => {
        const s = `${prefix}s`;
        await store.append(
          s,
          range(10).map(() => ev()),
          'no_stream',
        );
        const revisions = async (o: { fromRevision?: number; maxCount?: number }): Promise<number[]> => (await store.readStream(s, o)).map((e) => e.revision);
        expect(await revisions({ fromRevision: 3, maxCount: 4 })).to.deep.equal([3, 4, 5, 6]);
        expect(await revisions({ fromRevision: 8 })).to.deep.equal([8, 9]);
        expect(await revisions({ maxCount: 2 })).to.deep.equal([0, 1]);
        expect(await revisions({ fromRevision: 10 })).to.deep.equal([]);
      });

      it('returns nothing for a missing stream', async () => {
        expect(await store.readStream(`${prefix}missing`)).to.deep.equal([]);
      });

      it("knows a stream's last revision without reading it", async () => {
        const s = `${prefix}s`;
        expect(await store.lastRevision(s)).to.equal(undefined);
        await store.append(
          s,
          range(3).map(() => ev()),
          'no_stream',
        );
        await store.append(
          `${prefix}other`,
          range(5).map(() => ev()),
          'no_stream',
        );
        expect(await store.lastRevision(s)).to.equal(2);
      });
    });

    describe('readAll', () => {
      it('treats after as exclusive and honours maxCount', async () => {
        const s = `${prefix}s`;
        for (let i = 0; i < 5; i++) await store.append(s, [ev()], 'any');
        const all = await store.readAll({ after: start, filter: mine() });
        expect(all).to.have.length(5);
        const second = all[1];
        if (second === undefined) throw new Error('unreachable');
        const rest = await store.readAll({ after: second.position, filter: mine() });
        expect(rest.map((e) => e.id)).to.deep.equal(all.slice(2).map((e) => e.id));
        const page = await store.readAll({ after: start, filter: mine(), maxCount: 2 });
        expect(page.map((e) => e.id)).to.deep.equal(all.slice(0, 2).map((e) => e.id));
      });

      it('filters on several stream prefixes', async () => {
        const alpha = `${prefix}alpha-`;
        const beta = `${prefix}beta-`;
        const written: string[] = [];
        for (const [s, keep] of [
          [`${alpha}1`, true],
          [`${prefix}gamma-1`, false],
          [`${beta}1`, true],
          [`${alpha}2`, true],
          [`${prefix}alph`, false],
        ] as const) {
          const e = ev();
          await store.append(s, [e], 'any');
          if (keep) written.push(e.id);
        }
        const read = await store.readAll({ after: start, filter: { streamPrefixes: [alpha, beta] } });
        expect(read.map((e) => e.id)).to.deep.equal(written);
      });

      it('filters on event types, alone and with stream prefixes', async () => {
        const typeA = `CtA${hex()}`;
        const typeB = `CtB${hex()}`;
        const a1 = ev(typeA);
        const b1 = ev(typeB);
        const a2 = ev(typeA);
        const a3 = ev(typeA);
        await store.append(`${prefix}one`, [a1, b1], 'no_stream');
        await store.append(`${prefix}two`, [a2], 'no_stream');
        await store.append(`other${prefix}`, [a3], 'no_stream');

        const onlyA = await store.readAll({ after: start, filter: { eventTypes: [typeA] } });
        expect(onlyA.map((e) => e.id)).to.deep.equal([a1.id, a2.id, a3.id]);
        const both = await store.readAll({ after: start, filter: { eventTypes: [typeA, typeB] } });
        expect(both.map((e) => e.id)).to.deep.equal([a1.id, b1.id, a2.id, a3.id]);
        const mineA = await store.readAll({ after: start, filter: { streamPrefixes: [prefix], eventTypes: [typeA] } });
        expect(mineA.map((e) => e.id)).to.deep.equal([a1.id, a2.id]);
      });
    });

    describe('subscribeAll', () => {
      it('catches up, then goes live with no gap and no duplicate under concurrent appends', async () => {
        const writers = 4;
        const appendsPerWriter = 40;
        const eventsPerWriter = range(appendsPerWriter).reduce((n, i) => n + batchSize(i), 0);
        const total = writers * eventsPerWriter;

        let done = 0;
        let midway: () => void = () => undefined;
        const reachedMidway = new Promise<void>((resolve) => (midway = resolve));
        const write = async (w: number): Promise<void> => {
          const s = `${prefix}w${w}`;
          let expected: ExpectedRevision = 'no_stream';
          for (let i = 0; i < appendsPerWriter; i++) {
            const r = appended(
              await store.append(
                s,
                range(batchSize(i)).map(() => ev()),
                expected,
              ),
            );
            expected = r.nextRevision;
            done += batchSize(i);
            if (done >= total / 3) midway();
          }
        };
        const writing = Promise.all(range(writers).map(write));

        await reachedMidway;
        const fromStart = store.subscribeAll({ after: start, filter: mine() });
        const soFar = await store.readAll({ after: start, filter: mine() });
        const checkpoint = soFar[Math.floor(soFar.length / 2)]?.position;
        if (checkpoint === undefined) throw new Error('nothing written before subscribing');
        const fromCheckpoint = store.subscribeAll({ after: checkpoint, filter: mine() });

        const [seenFromStart, seenFromCheckpoint] = await Promise.all([
          take(fromStart, total, 20_000, true),
          take(fromCheckpoint, total - Math.floor(soFar.length / 2) - 1, 20_000, true),
          writing,
        ]);
        const log = await store.readAll({ after: start, filter: mine() });
        expect(log).to.have.length(total);
        expectIncreasing(seenFromStart.map((e) => e.position));
        expect(seenFromStart.map((e) => e.id)).to.deep.equal(log.map((e) => e.id));
        expect(seenFromCheckpoint.map((e) => e.id)).to.deep.equal(log.filter((e) => comparePositions(e.position, checkpoint) > 0).map((e) => e.id));
      });

      it('resumes after a checkpoint, then delivers live events', async () => {
        const s = `${prefix}s`;
        for (let i = 0; i < 5; i++) await store.append(s, [ev()], 'any');
        const stored = await store.readAll({ after: start, filter: mine() });
        const third = stored[2];
        if (third === undefined) throw new Error('unreachable');

        const sub = store.subscribeAll({ after: third.position, filter: mine() });
        const seen = take(sub, 4);
        const [live1, live2] = [ev(), ev()];
        await store.append(s, [live1], 4);
        await store.append(s, [live2], 5);
        expect((await seen).map((e) => e.id)).to.deep.equal([...stored.slice(3).map((e) => e.id), live1.id, live2.id]);
      });

      it('delivers complete recorded events, filtered by type', async () => {
        const typeA = `CtA${hex()}`;
        const sub = store.subscribeAll({ after: start, filter: { eventTypes: [typeA] } });
        const seen = take(sub, 2);
        const a1 = ev(typeA, { k: 'v' });
        await store.append(`${prefix}x`, [ev('Other'), a1], 'no_stream');
        await store.append(`${prefix}y`, [ev(typeA)], 'no_stream');
        const [first, second] = await seen;
        expect(first?.id).to.equal(a1.id);
        expect(first?.streamId).to.equal(`${prefix}x`);
        expect(first?.revision).to.equal(1);
        expect(first?.data).to.deep.equal({ k: 'v' });
        expect(first?.metadata).to.deep.equal(a1.metadata);
        expect(second?.type).to.equal(typeA);
      });

      it('ends iteration on close()', async () => {
        const sub = store.subscribeAll({ after: await store.headPosition(), filter: mine() });
        const consumed = (async () => {
          let n = 0;
          for await (const _ of sub) n += 1;
          return n;
        })();
        await store.append(`${prefix}s`, [ev()], 'no_stream');
        await delay(100);
        await sub.close();
        expect(await withTimeout(consumed, 5_000, 'iteration did not end after close()')).to.equal(1);
      });
    });

    describe('isKnownCurrent', () => {
      // A store vouches only while it follows the log: the embedded store polls while it has a
      // subscription, so each case holds one open, as the service's projections do.
      let nodes: EventStore[];
      let held: Subscription[];
      beforeEach(function () {
        if (store.isKnownCurrent === undefined) this.skip();
        nodes = [];
        held = [store.subscribeAll({ after: start, filter: mine() })];
      });
      afterEach(async () => {
        for (const sub of held ?? []) await sub.close();
        for (const node of nodes ?? []) await node.close();
      });

      const known = (on: EventStore, s: string, revision: number): boolean => on.isKnownCurrent?.(s, revision) === true;
      /** Another node, following the log, once it vouches for its own append (its follower is live). */
      const otherNode = async (): Promise<EventStore> => {
        const open = harness.otherNode;
        if (open === undefined) throw new Error('the harness has no otherNode');
        const node = await open();
        nodes.push(node);
        held.push(node.subscribeAll({ after: start, filter: mine() }));
        await until(node, `${prefix}warm-${nodes.length}`);
        return node;
      };
      /** Appends to a fresh stream on `on`, and waits until `on` vouches for it. */
      const until = async (on: EventStore, s: string): Promise<void> => {
        await on.append(s, [ev()], 'no_stream');
        await waitUntil(() => known(on, s, 0), 10_000, `${s}@0 never known current`);
      };

      it('vouches for the head of its own append, and only that revision', async () => {
        await until(store, `${prefix}warm`);
        const s = `${prefix}s`;
        await store.append(s, [ev(), ev()], 'no_stream');
        expect([known(store, s, 1), known(store, s, 0), known(store, s, -1)]).to.deep.equal([true, false, false]);
        await store.append(s, [ev()], 1);
        expect([known(store, s, 2), known(store, s, 1)]).to.deep.equal([true, false]);
      });

      it("learns a stream's head from a read that reached its end, not from a partial one", async function () {
        if (harness.otherNode === undefined) this.skip();
        const [s, tail, missing] = [`${prefix}s`, `${prefix}tail`, `${prefix}missing`];
        await store.append(s, [ev(), ev(), ev()], 'no_stream');
        await store.append(tail, [ev(), ev()], 'no_stream');
        // Opened after the appends, so it has not followed them.
        const node = await otherNode();
        expect(known(node, s, 2)).to.equal(false);
        await node.readStream(s, { maxCount: 2 });
        expect(known(node, s, 1)).to.equal(false);
        expect(await node.readStream(s)).to.have.length(3);
        expect(known(node, s, 2)).to.equal(true);
        // The catch-up read of a current cached state: nothing after its revision.
        expect(await node.readStream(tail, { fromRevision: 2 })).to.deep.equal([]);
        expect(known(node, tail, 1)).to.equal(true);
        expect(await node.readStream(missing)).to.deep.equal([]);
        expect(known(node, missing, -1)).to.equal(true);
      });

      it("eventually sees another node's append, and stops vouching for the revision it passed", async function () {
        if (harness.otherNode === undefined) this.skip();
        const node = await otherNode();
        await until(store, `${prefix}warm`);
        const [s, created] = [`${prefix}s`, `${prefix}created`];
        await store.append(s, [ev()], 'no_stream');
        expect(await store.readStream(created)).to.deep.equal([]);
        expect([known(store, s, 0), known(store, created, -1)]).to.deep.equal([true, true]);
        await node.append(s, [ev()], 0);
        await node.append(created, [ev()], 'no_stream');
        await waitUntil(() => known(store, s, 1) && known(store, created, 0), 10_000, "the other node's appends never seen");
        expect([known(store, s, 0), known(store, created, -1)]).to.deep.equal([false, false]);
      });
    });

    describe('durability', () => {
      it('keeps appended events across close and reopen', async function () {
        const reopen = harness.reopen;
        if (reopen === undefined) this.skip();
        const s = `${prefix}s`;
        await store.append(s, [ev(), ev()], 'no_stream');
        const before = await store.readStream(s);
        await store.close();

        const again = await reopen();
        try {
          const after = await again.readStream(s);
          expect(after).to.deep.equal(before);
          expect(appended(await again.append(s, [ev()], 1)).nextRevision).to.equal(2);
          const all = await again.readAll({ after: start, filter: mine() });
          expect(all).to.have.length(3);
        } finally {
          await again.close();
        }
      });
    });
  });
}

const hex = (): string => randomUUID().replace(/-/g, '');

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Batches of 1 and 2 events alternate in the concurrency test. */
const batchSize = (i: number): number => (i % 2 === 0 ? 1 : 2);

export const ev = (type = 'ContractTested', data: JsonObject = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: randomUUID(), timestamp: new Date().toISOString(), schemaVersion: 1 },
});

const appended = (r: AppendResult): Extract<AppendResult, { _tag: 'Appended' }> => {
  if (r._tag !== 'Appended') throw new Error(`expected Appended, got ${JSON.stringify(r)}`);
  return r;
};

const conflict = (streamId: string, expected: ExpectedRevision, actual: number | 'no_stream'): AppendResult => ({
  _tag: 'Conflict',
  streamId,
  expected,
  actual,
});

const expectIncreasing = (positions: readonly Position[]): void => {
  for (let i = 1; i < positions.length; i++) {
    const [a, b] = [positions[i - 1], positions[i]];
    if (a === undefined || b === undefined || comparePositions(a, b) >= 0) {
      throw new Error(`positions not strictly increasing at index ${i}`);
    }
  }
};

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const withTimeout = async <T>(p: Promise<T>, ms: number, message: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * The first n events of a subscription, then closes it; fails if they do not come in time.
 * A `slow` consumer yields to the event loop after each event (as a projection doing I/O
 * would), so that appends commit while the subscription is still catching up.
 */
export const take = async (sub: Subscription, n: number, timeoutMs = 20_000, slow = false): Promise<RecordedEvent[]> => {
  const seen: RecordedEvent[] = [];
  const timer = setTimeout(() => void sub.close(), timeoutMs);
  try {
    if (n > 0) {
      for await (const e of sub) {
        seen.push(e);
        if (seen.length >= n) break;
        if (slow) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    clearTimeout(timer);
    await sub.close();
  }
  if (seen.length < n) throw new Error(`subscription delivered ${seen.length} of ${n} events in ${timeoutMs} ms`);
  return seen;
};
