import { expect } from 'chai';
import type { EventStore, Position, ReadAllOptions, RecordedEvent } from '../../src/application/ports/event-store.js';
import type { PositionedChanges, ReadModelStore } from '../../src/application/ports/read-model.js';
import { projectLog } from '../../src/application/projections/project-log.js';

const pos = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

const registered = (n: number): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
  type: 'UserRegistered',
  data: { userId: `u${n}`, username: `user${n}`, nickname: `user${n}`, avatar: '', at: '2026-01-01T00:00:00.000Z' },
  metadata: { correlationId: 'c', timestamp: '2026-01-01T00:00:00.000Z', schemaVersion: 1 },
  streamId: `user-u${n}`,
  revision: 0,
  position: pos(n),
});

/** Only what projectLog reads: pages of a fixed log. */
const logOf = (size: number): EventStore => {
  const events = Array.from({ length: size }, (_, i) => registered(i + 1));
  const readAll = async (o?: ReadAllOptions): Promise<readonly RecordedEvent[]> => {
    const after = Number(o?.after?.commit ?? 0n);
    return events.slice(after, after + (o?.maxCount ?? events.length));
  };
  return { readAll } as unknown as EventStore;
};

/** A store whose applies finish later (as on a writer thread), recording overlaps and order. */
const slowTarget = (failAtBatch?: number) => {
  const applied: number[][] = [];
  let running = 0;
  let overlapped = false;
  const apply = (_projection: string, batch: readonly PositionedChanges[]): Promise<void> => {
    running += 1;
    if (running > 1) overlapped = true;
    const index = applied.length;
    applied.push(batch.map((b) => Number(b.position.commit)));
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        running -= 1;
        if (index === failAtBatch) reject(new Error('disk full'));
        else resolve();
      }, 5),
    );
  };
  return { target: { apply } as unknown as ReadModelStore, applied, overlapped: () => overlapped };
};

describe('projectLog', () => {
  it('applies batches one after another, in log order, while reading ahead', async () => {
    const { target, applied, overlapped } = slowTarget();
    const progress: number[] = [];
    const r = await projectLog(logOf(25), target, { projection: 'p', batchSize: 10, onBatch: (n) => progress.push(n) });
    expect(overlapped()).to.equal(false);
    expect(applied.flat()).to.deep.equal(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(progress).to.deep.equal([10, 20, 25]);
    expect(r).to.deep.equal({ events: 25, last: pos(25) });
  });

  it('stops at `until` and reports the last applied position', async () => {
    const { target, applied } = slowTarget();
    const r = await projectLog(logOf(25), target, { projection: 'p', batchSize: 10, until: pos(13) });
    expect(applied.flat()).to.deep.equal(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(r).to.deep.equal({ events: 13, last: pos(13) });
  });

  it('fails with the failing batch and applies nothing after it', async () => {
    const { target, applied } = slowTarget(1);
    let failure: unknown;
    try {
      await projectLog(logOf(50), target, { projection: 'p', batchSize: 10 });
    } catch (e) {
      failure = e;
    }
    expect((failure as Error | undefined)?.message).to.equal('disk full');
    // The next batch was read meanwhile, but a batch starts only after its predecessor succeeded.
    expect(applied).to.have.length(2);
  });
});
