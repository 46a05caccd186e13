import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AggregateRepository } from '../../src/application/aggregates/repository.js';
import { BlockersIndex } from '../../src/application/blocks/blockers-index.js';
import { LogProcessor } from '../../src/application/log/log-processor.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { blocksDecider, blocksStream } from '../../src/domain/blocks/blocks.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { memoryKeys } from '../support/memory-keys.js';

const { personal } = memoryKeys();

const meta = { correlationId: 'test', timestamp: '2026-01-01T00:00:00.000Z' };

describe('BlockersIndex: who blocked a user, from the block streams', () => {
  let dir: string;
  let store: SqliteEventStore;
  let repo: AggregateRepository;
  const processors: LogProcessor[] = [];

  /** An index on a log processor of its own, as each node runs one. */
  const indexOn = async (events: SqliteEventStore): Promise<BlockersIndex> => {
    const log = new LogProcessor(events, personal, createLogger('silent'));
    processors.push(log);
    await log.start();
    const index = new BlockersIndex(() => events.headPosition(), 5000);
    index.follow(log.run(index.consumer).tracker);
    return index;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'blockers-test-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    repo = new AggregateRepository(store, personal);
  });
  afterEach(async () => {
    for (const log of processors.splice(0)) await log.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const setBlock = async (userId: string, targetId: string, block: boolean): Promise<void> => {
    await repo
      .aggregate(blocksDecider)
      .execute(blocksStream(userId), { kind: block ? 'BlockUser' : 'UnblockUser', userId, targetId, at: meta.timestamp }, meta);
  };

  it('answers with every block stored before the question, unblocks removed, on an index built before or after them', async () => {
    const early = await indexOn(store);
    expect(await early.blockersOf('org')).to.deep.equal([]);
    await setBlock('zoe', 'org', true);
    await setBlock('amy', 'org', true);
    await setBlock('amy', 'bob', true);
    await setBlock('org', 'amy', true);
    expect(await early.blockersOf('org')).to.deep.equal(['amy', 'zoe']);
    await setBlock('zoe', 'org', false);
    expect(await early.blockersOf('org')).to.deep.equal(['amy']);
    expect(await early.blockersOf('amy')).to.deep.equal(['org']);
    // Another node's index, started later, reads the same answer from the log.
    const late = await indexOn(store);
    expect(await late.blockersOf('org')).to.deep.equal(['amy']);
    expect(await late.blockersOf('bob')).to.deep.equal(['amy']);
  });

  it('concurrent questions each see what was stored before they were asked', async () => {
    const index = await indexOn(store);
    const first = index.blockersOf('org');
    await setBlock('amy', 'org', true);
    const second = index.blockersOf('org');
    expect(await second).to.deep.equal(['amy']);
    expect(await first).to.be.an('array');
  });
});
