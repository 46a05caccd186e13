import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { exportLog } from '../../src/application/transfer/export-log.js';
import { importLog, ImportError } from '../../src/application/transfer/import-log.js';
import type { EventStore, RecordedEvent } from '../../src/application/ports/event-store.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';

const meta = (i: number) => ({
  correlationId: `c-${i}`,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  schemaVersion: 1,
  userId: `u-${i % 3}`,
});

const seed = async (store: EventStore): Promise<void> => {
  // Interleaved streams, several events per append, as a live log looks.
  const revisions = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const stream = `chat-${i % 7}`;
    const events = Array.from({ length: 1 + (i % 3) }, (_, k) => ({
      id: `00000000-0000-4000-8000-${String(i * 10 + k).padStart(12, '0')}`,
      type: 'MessageSent',
      data: { n: i, k },
      metadata: meta(i),
    }));
    const rev = revisions.get(stream);
    const result = await store.append(stream, events, rev === undefined ? 'no_stream' : rev);
    if (result._tag !== 'Appended') throw new Error('seed conflict');
    revisions.set(stream, result.nextRevision);
  }
};

const allEvents = async (store: EventStore): Promise<RecordedEvent[]> => [...(await store.readAll({}))];

const strip = (e: RecordedEvent) => ({ id: e.id, stream: e.streamId, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata });

describe('export → import', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'transfer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const exportToLines = async (store: EventStore): Promise<string[]> => {
    const lines: string[] = [];
    await exportLog(
      store,
      async (line) => {
        lines.push(line.trimEnd());
      },
      { pageSize: 64 },
    );
    return lines;
  };

  async function* iterate(lines: readonly string[]): AsyncIterable<string> {
    for (const l of lines) yield l;
  }

  for (const window of [1, 64]) {
    it(`round-trips the whole log identically (order, ids, revisions, data, metadata), window ${window}`, async () => {
      const source = SqliteEventStore.open({ path: join(dir, 'a.db'), synchronous: 'NORMAL' });
      const target = SqliteEventStore.open({ path: join(dir, 'b.db'), synchronous: 'NORMAL' });
      await seed(source);
      const lines = await exportToLines(source);
      const imported = await importLog(target, iterate(lines), { window });
      const [before, after] = [await allEvents(source), await allEvents(target)];
      expect(imported).to.equal(before.length);
      expect(after.map(strip)).to.deep.equal(before.map(strip));
      expect(await exportToLines(target)).to.deep.equal(lines);
      await source.close();
      await target.close();
    });
  }

  it('refuses to import into a store that is not empty, and changes nothing', async () => {
    const target = SqliteEventStore.open({ path: join(dir, 'b.db'), synchronous: 'NORMAL' });
    await seed(target);
    const before = await allEvents(target);
    let error: unknown;
    try {
      await importLog(target, iterate([]), { window: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ImportError);
    expect(await allEvents(target)).to.have.length(before.length);
    await target.close();
  });

  it('fails loudly on a malformed line', async () => {
    const target = SqliteEventStore.open({ path: join(dir, 'b.db'), synchronous: 'NORMAL' });
    let error: unknown;
    try {
      await importLog(target, iterate(['{"id": 1}']), { window: 1 });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/line 1/);
    await target.close();
  });
});
