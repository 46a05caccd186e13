import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppendResult, RecordedEvent } from '../../src/application/ports/event-store.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { ev, eventStoreContract, take } from '../contract/event-store.contract.js';

const tempDb = (): { path: string; remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-es-'));
  return { path: join(dir, 'events.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
};

eventStoreContract('SqliteEventStore', async () => {
  const db = tempDb();
  // Small pages: catching up takes many reads, interleaved with concurrent commits.
  const store = SqliteEventStore.open({ path: db.path, pageSize: 16 });
  return {
    store,
    reopen: async () => SqliteEventStore.open({ path: db.path }),
    otherNode: async () => SqliteEventStore.open({ path: db.path, pollIntervalMs: 50 }),
    cleanup: async () => {
      await store.close();
      db.remove();
    },
  };
});

const ids = (events: readonly RecordedEvent[]): string[] => events.map((e) => e.id);

describe('SqliteEventStore', function () {
  this.timeout(30_000);
  let db: { path: string; remove: () => void };
  let store: SqliteEventStore;

  beforeEach(() => {
    db = tempDb();
    store = SqliteEventStore.open({ path: db.path });
  });

  afterEach(async () => {
    await store.close();
    db.remove();
  });

  describe('group commit', () => {
    it('writes 100 concurrent appends in far fewer transactions', async () => {
      const before = store.stats.transactions;
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(`s-${i}`, [ev()], 'no_stream')));
      expect(results.every((r) => r._tag === 'Appended')).to.equal(true);
      expect(store.stats.transactions - before).to.be.at.most(2);
      expect(store.stats.maxGroupSize).to.be.at.least(50);
      expect(await store.readAll()).to.have.length(100);
    });

    it('checks appends to one stream in order against the state inside the transaction', async () => {
      const before = store.stats.transactions;
      const [a, b, c, d] = await Promise.all([
        store.append('s', [ev()], 'no_stream'),
        store.append('s', [ev()], 0),
        store.append('s', [ev()], 0),
        store.append('s', [ev()], 'stream_exists'),
      ]);
      expect(store.stats.transactions - before).to.equal(1);
      expect(a).to.include({ _tag: 'Appended', nextRevision: 0 });
      expect(b).to.include({ _tag: 'Appended', nextRevision: 1 });
      expect(c).to.deep.equal({ _tag: 'Conflict', streamId: 's', expected: 0, actual: 1 });
      expect(d).to.include({ _tag: 'Appended', nextRevision: 2 });
    });

    it('rejects a faulty append without failing the rest of its group', async () => {
      const taken = ev();
      await store.append('other', [taken], 'no_stream');
      const [good1, bad, good2] = await Promise.allSettled([
        store.append('a', [ev()], 'no_stream'),
        store.append('b', [ev(), taken], 'no_stream'),
        store.append('c', [ev()], 'no_stream'),
      ]);
      expect(good1.status).to.equal('fulfilled');
      expect(bad.status).to.equal('rejected');
      expect(good2.status).to.equal('fulfilled');
      expect(await store.readStream('b')).to.deep.equal([]);
      expect((await store.readAll()).map((e) => e.streamId)).to.deep.equal(['other', 'a', 'c']);
    });

    it('flushes pending appends on close', async () => {
      const pending = store.append('s', [ev()], 'no_stream');
      await store.close();
      expect(await pending).to.include({ _tag: 'Appended', nextRevision: 0 });
      await expectRejected(store.append('s', [ev()], 'any'));
      store = SqliteEventStore.open({ path: db.path });
      expect(await store.readStream('s')).to.have.length(1);
    });
  });

  describe('idempotent append', () => {
    it('returns the original revision and position, even after the stream moved on', async () => {
      const batch = [ev(), ev()];
      const first = await store.append('s', batch, 'no_stream');
      await store.append('s', [ev()], 1);
      expect(await store.append('s', batch, 'no_stream')).to.deep.equal(first);
      expect(await store.append('s', batch, 'any')).to.deep.equal(first);
      expect(await store.readStream('s')).to.have.length(3);
    });

    it('treats a replay inside the same group as idempotent', async () => {
      const batch = [ev()];
      const [a, b] = await Promise.all([store.append('s', batch, 'no_stream'), store.append('s', batch, 'no_stream')]);
      expect(b).to.deep.equal(a);
      expect(await store.readAll()).to.have.length(1);
    });

    it('throws when only some ids exist, or they exist in another stream, or repeat in the batch', async () => {
      const [e1, e2] = [ev(), ev()];
      await store.append('s', [e1, e2], 'no_stream');
      await expectRejected(store.append('s', [e1, ev()], 'any'), /already exist/);
      await expectRejected(store.append('s', [e2, e1], 'any'), /already exist/);
      await expectRejected(store.append('t', [e1, e2], 'any'), /already exist/);
      const dup = ev();
      await expectRejected(store.append('u', [dup, dup], 'any'), /duplicate/);
      expect(await store.readAll()).to.have.length(2);
    });
  });

  describe('subscriptions', () => {
    it('serves hundreds of live subscribers from one commit', async () => {
      const subs = Array.from({ length: 300 }, () => store.subscribeAll());
      const seen = Promise.all(subs.map((s) => take(s, 60, 10_000)));
      const sent = Array.from({ length: 60 }, () => ev());
      await Promise.all(sent.map((e, i) => store.append(`s-${i % 7}`, [e], 'any')));
      for (const events of await seen) expect(ids(events)).to.deep.equal(ids(await store.readAll()));
    });

    it('re-reads from the store when a slow consumer falls behind its buffer', async () => {
      const sub = store.subscribeAll();
      const iterator = sub[Symbol.asyncIterator]();
      await store.append('s', [ev()], 'no_stream');
      expect((await iterator.next()).value).to.have.property('revision', 0);
      for (let round = 0; round < 5; round++) {
        await Promise.all(Array.from({ length: 500 }, () => store.append(`t-${round}`, [ev()], 'any')));
      }
      const rest = await take(sub, 2500);
      const log = await store.readAll();
      expect(ids(rest)).to.deep.equal(ids(log.slice(1)));
    });

    it('sees appends made through another instance on the same file (polling)', async () => {
      const other = SqliteEventStore.open({ path: db.path, pollIntervalMs: 50 });
      try {
        const sub = other.subscribeAll({ filter: { streamPrefixes: ['a-'] } });
        const seen = take(sub, 40, 5_000);
        for (let i = 0; i < 20; i++) await store.append(`a-${i % 3}`, [ev()], 'any');
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`a-x${i}`, [ev()], 'no_stream')));
        expect(ids(await seen)).to.deep.equal(ids(await store.readAll()));
      } finally {
        await other.close();
      }
    });

    it('serialises appends from two instances: one log, conflicts across instances', async () => {
      const other = SqliteEventStore.open({ path: db.path });
      try {
        const writes: Promise<AppendResult>[] = [];
        for (let i = 0; i < 50; i++) {
          writes.push(store.append(`a-${i}`, [ev()], 'no_stream'), other.append(`b-${i}`, [ev()], 'no_stream'));
        }
        await Promise.all(writes);
        const fromOther = await other.readAll();
        expect(fromOther.map((e) => Number(e.position.commit))).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
        await store.append('shared', [ev()], 'no_stream');
        expect(await other.append('shared', [ev()], 'no_stream')).to.deep.equal({
          _tag: 'Conflict',
          streamId: 'shared',
          expected: 'no_stream',
          actual: 0,
        });
      } finally {
        await other.close();
      }
    });
  });

  describe('durability', () => {
    it('keeps every acknowledged append when the process is killed with SIGKILL', async () => {
      await store.close(); // the child is the only connection: reopening must recover its WAL
      const child = fileURLToPath(new URL('./fixtures/sqlite-append-child.js', import.meta.url));
      const proc = spawn(process.execPath, [child, db.path, 'k-'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acks: { stream: string; revision: number; id: string }[] = [];
      let partial = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const [, stream, revision, id] = line.split(' ');
          if (stream !== undefined && revision !== undefined && id !== undefined) acks.push({ stream, revision: Number(revision), id });
        }
        if (acks.length >= 200 && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
      });
      expect(await exited).to.equal('SIGKILL');
      expect(acks.length).to.be.at.least(200);

      store = SqliteEventStore.open({ path: db.path });

      const streams = new Map<string, readonly RecordedEvent[]>();
      for (const stream of new Set(acks.map((a) => a.stream))) streams.set(stream, await store.readStream(stream));
      for (const ack of acks) {
        expect(streams.get(ack.stream)?.[ack.revision]?.id, `${ack.stream}@${ack.revision}`).to.equal(ack.id);
      }
    });
  });
});

const expectRejected = async (p: Promise<unknown>, message?: RegExp): Promise<void> => {
  try {
    await p;
  } catch (e) {
    if (message !== undefined) expect(String(e)).to.match(message);
    return;
  }
  throw new Error('expected a rejection');
};
