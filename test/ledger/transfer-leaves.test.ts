import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { leafEventOf, leafHash, leafHashOfTextInto } from '../../src/application/ledger/leaf.js';
import { rootOf } from '../../src/application/ledger/merkle.js';
import { pagesOf, textPagesOf } from '../../src/application/log/log-reader.js';
import type { EventMetadata, EventStore } from '../../src/application/ports/event-store.js';
import { exportLog } from '../../src/application/transfer/export-log.js';
import { importLog } from '../../src/application/transfer/import-log.js';
import { openEsdbEventStore } from '../../src/infrastructure/eventstore/esdb/esdb-event-store.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { FakeEsdbServer } from '../infrastructure/fake-esdb-server.js';

/** Metadata as varied as logs hold it: with and without userId and causationId, and (older logs) without schemaVersion. */
const metadataOf = (i: number): EventMetadata => ({
  correlationId: `c-${i}`,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  ...(i % 5 === 0 ? {} : { schemaVersion: 1 + (i % 2) }),
  ...(i % 3 === 0 ? { userId: `u-${i % 4}` } : {}),
  ...(i % 4 === 1 ? { causationId: `cause-${i}` } : {}),
});

const seed = async (store: EventStore): Promise<void> => {
  const revisions = new Map<string, number>();
  for (let i = 0; i < 60; i++) {
    const stream = `chat-${i % 4}`;
    const event = {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      type: i % 2 === 0 ? 'MessageSent' : 'MessageLiked',
      data: { n: i, text: `é ${i} "q"\n`, nested: { z: [i, 0.25, null], a: true } },
      metadata: metadataOf(i),
    };
    const rev = revisions.get(stream);
    const result = await store.append(stream, [event], rev === undefined ? 'no_stream' : rev);
    if (result._tag !== 'Appended') throw new Error('seed conflict');
    revisions.set(stream, result.nextRevision);
  }
};

/** The ledger's root over the whole log, from parsed events, and from the stored text as `ledger verify` reads it. */
const roots = async (store: EventStore): Promise<{ parsed: string; text: string; size: number }> => {
  const parsed: Buffer[] = [];
  for await (const page of pagesOf(store, { pageSize: 16 })) for (const e of page.events) parsed.push(leafHash(leafEventOf(e)));
  const text: Buffer[] = [];
  for await (const page of textPagesOf(store, { pageSize: 16 }))
    for (const e of page.events) {
      const out = Buffer.alloc(32);
      leafHashOfTextInto(e, out, 0);
      text.push(out);
    }
  return { parsed: rootOf(parsed).toString('base64'), text: rootOf(text).toString('base64'), size: parsed.length };
};

const exportLines = async (store: EventStore): Promise<string[]> => {
  const lines: string[] = [];
  await exportLog(store, async (line) => void lines.push(line.trimEnd()), { pageSize: 16 });
  return lines;
};

async function* iterate(lines: readonly string[]): AsyncIterable<string> {
  for (const l of lines) yield l;
}

describe('ledger leaves survive export and import (SQLite, and EventStoreDB through its fake server)', function () {
  this.timeout(30_000);
  let dir = '';
  let fake: FakeEsdbServer;
  let source: SqliteEventStore;
  let lines: string[];
  let expected: { parsed: string; text: string; size: number };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'transfer-leaves-'));
    fake = await FakeEsdbServer.start();
    source = SqliteEventStore.open({ path: join(dir, 'source.db'), synchronous: 'NORMAL' });
    await seed(source);
    lines = await exportLines(source);
    expected = await roots(source);
  });
  after(async () => {
    await source.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the source gives one root whichever way its leaves are read', () => {
    expect(expected.size).to.equal(60);
    expect(expected.text).to.equal(expected.parsed);
  });

  it('SQLite → export → SQLite: the same root, and metadata stored as exported (no schemaVersion added)', async () => {
    const target = SqliteEventStore.open({ path: join(dir, 'target.db'), synchronous: 'NORMAL' });
    try {
      await importLog(target, iterate(lines), { window: 8 });
      expect(await roots(target)).to.deep.equal(expected);
      const [first] = await target.readAll({ maxCount: 1 });
      expect(first?.metadata).to.deep.equal(metadataOf(0));
      expect(first?.metadata).to.not.have.property('schemaVersion');
      expect(await exportLines(target)).to.deep.equal(lines);
    } finally {
      await target.close();
    }
  });

  it('SQLite → export → EventStoreDB → export → SQLite: the same root at every step', async () => {
    const esdb = await openEsdbEventStore(fake.url, { pageSize: 7, subscriptionBuffer: 8 });
    const back = SqliteEventStore.open({ path: join(dir, 'back.db'), synchronous: 'NORMAL' });
    try {
      await importLog(esdb, iterate(lines), { window: 1 });
      expect(await roots(esdb)).to.deep.equal(expected);
      const [first] = await esdb.readAll({ maxCount: 1 });
      expect(first?.metadata).to.deep.equal(metadataOf(0));
      await importLog(back, iterate(await exportLines(esdb)), { window: 8 });
      expect(await roots(back)).to.deep.equal(expected);
    } finally {
      await esdb.close();
      await back.close();
    }
  });
});
