import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { toNewEvent } from '../../src/application/events/event-serde.js';
import type { PositionedChanges, ReadModelStore } from '../../src/application/ports/read-model.js';
import { ProjectionRunner } from '../../src/application/projections/projection-runner.js';
import { projectReadModel } from '../../src/application/projections/read-model-projection.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';

const registered = (n: number) =>
  toNewEvent(
    { type: 'UserRegistered', data: { userId: `u${n}`, username: `user${n}`, nickname: `user${n}`, avatar: '', at: '2026-01-01T00:00:00.000Z' } },
    { correlationId: 'c', timestamp: '2026-01-01T00:00:00.000Z' },
  );

/** Records each applied batch; applies take no time. */
const recordingStore = () => {
  const batches: number[][] = [];
  const store = {
    apply: async (_p: string, batch: readonly PositionedChanges[]) => {
      batches.push(batch.map((b) => Number(b.position.commit)));
    },
    checkpoint: async () => undefined,
  };
  return { store: store as unknown as ReadModelStore, batches };
};

describe('ProjectionRunner', () => {
  let dir: string;
  let log: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    log = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spaces its commits under load: events arriving meanwhile join the next batch, none is lost or reordered', async () => {
    const { store, batches } = recordingStore();
    const runner = new ProjectionRunner('p', projectReadModel, log, store, createLogger('silent'), 5000, 200);
    await runner.start();
    // 20 appends, each in a turn of its own, well within one 200 ms interval after the first commit.
    for (let i = 1; i <= 20; i++) {
      await log.append(`user-u${i}`, [registered(i)], 'no_stream');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const head = await log.headPosition();
    expect(await runner.tracker.waitFor(head!, 5000)).to.equal(true);
    await runner.stop();
    expect(batches.flat()).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    // The first event is committed alone; the rest waited for the interval and went together.
    expect(batches.length).to.be.at.most(3);
  });

  it('ends the spacing as soon as a read waits for the read models: read-your-writes never pays for it', async () => {
    const { store, batches } = recordingStore();
    const runner = new ProjectionRunner('p', projectReadModel, log, store, createLogger('silent'), 5000, 60_000);
    await runner.start();
    await log.append('user-u1', [registered(1)], 'no_stream');
    expect(await runner.tracker.waitFor((await log.headPosition())!, 5000)).to.equal(true);
    // The next commit is a minute away, unless someone waits.
    await log.append('user-u2', [registered(2)], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(batches.flat()).to.deep.equal([1]);
    const started = Date.now();
    expect(await runner.tracker.waitFor((await log.headPosition())!, 5000)).to.equal(true);
    expect(Date.now() - started).to.be.below(2000);
    await runner.stop();
    expect(batches).to.deep.equal([[1], [2]]);
  });

  it('a fault after progress is retried at once: the back-off does not grow with faults already recovered from', async () => {
    // Every batch fails once, then succeeds (a lock another node held past the busy timeout).
    let checkpoint: PositionedChanges['position'] | undefined;
    let failNext = true;
    const store = {
      apply: async (_p: string, batch: readonly PositionedChanges[]) => {
        if (failNext) {
          failNext = false;
          throw new Error('database is locked');
        }
        failNext = true;
        checkpoint = batch[batch.length - 1]?.position ?? checkpoint;
      },
      checkpoint: async () => checkpoint,
    } as unknown as ReadModelStore;
    const runner = new ProjectionRunner('p', projectReadModel, log, store, createLogger('silent'), 5000, 0);
    await runner.start();
    // Ten faults in a row would wait 100 ms · 2^9 by now; each one after progress waits 100 ms.
    for (let i = 1; i <= 10; i++) {
      await log.append(`user-u${i}`, [registered(i)], 'no_stream');
      expect(await runner.tracker.waitFor((await log.headPosition())!, 1500), `event ${i} projected`).to.equal(true);
    }
    await runner.stop();
    expect(checkpoint?.commit).to.equal(10n);
  });
});
