import { expect } from 'chai';
import { aggregate, update as modify } from 'mingo';
import type { PositionedChanges } from '../../src/application/ports/read-model.js';
import { applyBatch } from '../../src/infrastructure/readmodel/mongo/apply-batch.js';
import { COLLECTIONS, type CollectionName } from '../../src/infrastructure/readmodel/mongo/collections.js';
import {
  COPY_ORDER,
  copyPipeline,
  currentGeneration,
  generationName,
  isGenerationOf,
  pointerFilter,
  pointerUpdate,
} from '../../src/infrastructure/readmodel/mongo/generation-documents.js';
import { PROJECTION, scriptedHistory } from '../contract/read-model-fixtures.js';
import { MemoryDocumentDb } from './memory-document-db.js';

const applyAll = async (db: MemoryDocumentDb, batches: readonly PositionedChanges[][]): Promise<void> => {
  for (const b of batches) await applyBatch(db, PROJECTION, b);
};

/**
 * Copies a source collection by collection in `order` (as `$out` does, one collection at a
 * time) while `gap` more batches land on the source between two collections, then redelivers
 * the log to the copy. Compared right when the copy is done (`tail` 0), as a rebuild serves it
 * after catching up, before later events could hide a divergence by overwriting it.
 */
const copyWhileWriting = async (
  order: readonly CollectionName[],
  start: number,
  gap: number,
  tail: number,
): Promise<{ source: MemoryDocumentDb; copy: MemoryDocumentDb }> => {
  const all = scriptedHistory().log.batches(1);
  const batches = all.slice(0, start + order.length * gap + tail);
  const source = new MemoryDocumentDb();
  const copy = new MemoryDocumentDb();
  let next = 0;
  const write = async (n: number): Promise<void> => {
    for (const b of batches.slice(next, next + n)) await applyBatch(source, PROJECTION, b);
    next = Math.min(batches.length, next + n);
  };
  await write(start);
  for (const name of order) {
    copy.collections[name].push(...structuredClone(source.collections[name]));
    await write(gap);
  }
  await write(batches.length);
  await applyAll(copy, batches);
  return { source, copy };
};

const EVENTS = scriptedHistory().log.events.length;

/** The (start, gap, tail) cases that end with the copy differing from the source; `first`: stop at one. */
const divergences = async (order: readonly CollectionName[], first = false): Promise<string[]> => {
  const out: string[] = [];
  for (const [gap, tail] of [
    [1, 0],
    [3, 0],
    [2, 4],
  ] as const) {
    // Past this start the copy ends with the log: nothing new.
    for (let start = 0; start + order.length * gap <= EVENTS; start++) {
      const { source, copy } = await copyWhileWriting(order, start, gap, tail);
      if (JSON.stringify(copy.state()) !== JSON.stringify(source.state())) out.push(`start ${start}, gap ${gap}, tail ${tail}`);
      if (first && out.length > 0) return out;
    }
  }
  return out;
};

describe('MongoDB read-model generations: documents', () => {
  it('switches with one upsert of the pointer document', () => {
    const fresh: Record<string, unknown> = { _id: 'current' };
    modify(fresh, pointerUpdate('chat_g1') as Record<string, unknown>);
    expect(fresh).to.deep.equal({ _id: 'current', database: 'chat_g1' });
    const existing: Record<string, unknown> = { _id: 'current', database: 'chat_g1' };
    modify(existing, pointerUpdate('chat') as Record<string, unknown>);
    expect(existing).to.deep.equal({ _id: 'current', database: 'chat' });
    expect(pointerFilter).to.deep.equal({ _id: 'current' });
    expect(currentGeneration(null, 'chat'), 'no pointer: the base database').to.equal('chat');
    expect(currentGeneration({ _id: 'current', database: 'chat_g7' }, 'chat')).to.equal('chat_g7');
  });

  it('names generations after the base database, and recognizes only those', () => {
    expect(generationName('chat', 1700000000000)).to.equal('chat_g1700000000000');
    for (const ok of ['chat', 'chat_g1', 'chat_g1700000000000']) expect(isGenerationOf('chat', ok), ok).to.equal(true);
    for (const no of ['chat_g', 'chat_gx', 'chat_g1x', 'chat_events', 'other_g1', 'admin', 'cha', 'chat_g1/../admin']) {
      expect(isGenerationOf('chat', no), no).to.equal(false);
    }
  });

  it('copies every collection with $match + $out into the target database', () => {
    const docs = [
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
    ];
    const pipeline = copyPipeline('chat_g1', 'users');
    expect(pipeline[pipeline.length - 1]).to.deep.equal({ $out: { db: 'chat_g1', coll: 'users' } });
    // mingo has no cross-database $out: check that what precedes it lets every document through.
    expect(aggregate(docs, pipeline.slice(0, -1))).to.deep.equal(docs);
    expect([...COPY_ORDER].sort()).to.deep.equal([...COLLECTIONS].sort());
    expect(COPY_ORDER[0]).to.equal('checkpoints');
  });

  it('a copy made collection by collection under live writes, then redelivered from its checkpoint, ends where the source does', async () => {
    expect(await divergences(COPY_ORDER)).to.deep.equal([]);
  });

  it('needs its order: members copied before messages can double-count unread messages', async () => {
    const naive: CollectionName[] = [...COPY_ORDER.filter((c) => c !== 'messages'), 'messages'];
    expect(await divergences(naive, true)).to.not.deep.equal([]);
  });
});
