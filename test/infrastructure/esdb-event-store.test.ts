import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { EventStoreDBClient, excludeSystemEvents, WrongExpectedVersionError } from '@eventstore/db-client';
import type { NewEvent } from '../../src/application/ports/event-store.js';
import { EventStoreTimeoutError, EsdbDecodeError } from '../../src/infrastructure/eventstore/esdb/esdb-errors.js';
import { EsdbEventStore, openEsdbEventStore } from '../../src/infrastructure/eventstore/esdb/esdb-event-store.js';
import { isSystemEvent, toEventData, toRecordedEvent, type EsdbRecord } from '../../src/infrastructure/eventstore/esdb/esdb-events.js';
import { eventMatcher, serverFilter } from '../../src/infrastructure/eventstore/esdb/esdb-filter.js';
import {
  fromEsdbPosition,
  satisfiesExpected,
  toConflict,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toRevision,
} from '../../src/infrastructure/eventstore/esdb/esdb-mapping.js';
import { fromEsdbMetadata, toEsdbMetadata } from '../../src/infrastructure/eventstore/esdb/esdb-metadata.js';
import { TimeoutError, withTimeout } from '../../src/infrastructure/shared/with-timeout.js';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { FakeEsdbServer } from './fake-esdb-server.js';

const url = process.env.EVENTSTORE_URL;

if (url !== undefined && url !== '') {
  eventStoreContract('EventStoreDB', async () => {
    const store = await openEsdbEventStore(url);
    return { store, reopen: () => openEsdbEventStore(url), otherNode: () => openEsdbEventStore(url), cleanup: () => store.close() };
  });
} else {
  describe('EventStoreDB event store', () => {
    it.skip('EVENTSTORE_URL unset: start EventStoreDB with `docker compose up -d` and run `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm test`');
  });
}

describe('EventStoreDB adapter over an in-process fake of the gRPC Streams API', () => {
  let fake: FakeEsdbServer;
  before(async () => {
    fake = await FakeEsdbServer.start();
  });
  after(() => fake.stop());

  // Checks the adapter and the real client together (EventStoreDB itself is checked above).
  // Small pages and buffers, so that paging $all and pausing subscriptions are exercised.
  const options = { pageSize: 7, subscriptionBuffer: 8 };
  eventStoreContract('EsdbEventStore over the fake server', async () => {
    const store = await openEsdbEventStore(fake.url, options);
    fake.writeSystemEvent(); // the log's tail is not always one of ours
    const open = (): Promise<EsdbEventStore> => openEsdbEventStore(fake.url, options);
    return { store, reopen: open, otherNode: open, cleanup: () => store.close() };
  });

  describe('beyond the contract', () => {
    let store: EsdbEventStore;
    beforeEach(async () => {
      store = await openEsdbEventStore(fake.url, options);
    });
    afterEach(() => store.close());

    it('answers an idempotent replay (no position from the server) with the stored position', async () => {
      const stream = `idem-${randomUUID()}`;
      const batch = [newEvent(), newEvent()];
      const first = await store.append(stream, batch, 'no_stream');
      fake.writeSystemEvent();
      expect(await store.append(stream, batch, 'no_stream')).to.deep.equal(first);
    });

    it('skips system events in headPosition and unfiltered reads', async () => {
      const start = await store.headPosition();
      const stream = `sys-${randomUUID()}`;
      const appended = await store.append(stream, [newEvent()], 'no_stream');
      if (appended._tag !== 'Appended') throw new Error('not appended');
      fake.writeSystemEvent();
      expect(await store.headPosition()).to.deep.equal(appended.position);
      const read = await store.readAll({ after: start });
      expect(read.map((e) => e.streamId)).to.deep.equal([stream]);
    });

    it('treats an empty append as a check of the expectation', async () => {
      const stream = `empty-${randomUUID()}`;
      expect(await store.append(stream, [], 'no_stream')).to.deep.equal({
        _tag: 'Appended',
        nextRevision: -1,
        position: { commit: 0n, prepare: 0n },
      });
      expect(await store.append(stream, [], 0)).to.deep.include({ _tag: 'Conflict', actual: 'no_stream' });
      const appended = await store.append(stream, [newEvent()], 'no_stream');
      expect(await store.append(stream, [], 0)).to.deep.equal(appended);
      expect(await store.append(stream, [], 'no_stream')).to.deep.include({ _tag: 'Conflict', actual: 0 });
    });
  });
});

const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: randomUUID(),
  type: 'Tested',
  data: { n: 1 },
  metadata: { correlationId: randomUUID(), timestamp: '2024-01-01T00:00:00.000Z', schemaVersion: 1 },
  ...overrides,
});

/** Resolves with the elapsed ms once `work` rejects; fails if it resolves. */
const rejection = async (work: Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
  const started = Date.now();
  try {
    await work;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected a rejection');
};

describe('EventStoreDB adapter against a server that never answers', function () {
  this.timeout(15_000);
  const BOUND_MS = 500;
  let server: net.Server;
  let sockets: Set<net.Socket>;
  let serverUrl: string;
  let store: EsdbEventStore;

  before(async () => {
    sockets = new Set();
    // Accepts TCP and then says nothing: the case where the client would wait forever.
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    serverUrl = `esdb://127.0.0.1:${address.port}?tls=false`;
  });

  beforeEach(() => {
    store = new EsdbEventStore(EventStoreDBClient.connectionString(serverUrl), { timeoutMs: BOUND_MS });
  });

  afterEach(async () => {
    await store.close();
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const expectBounded = async (work: Promise<unknown>, operation: RegExp): Promise<void> => {
    const { error, ms } = await rejection(work);
    expect(error).to.be.instanceOf(EventStoreTimeoutError);
    expect(error).to.be.instanceOf(TimeoutError);
    expect((error as EventStoreTimeoutError).message).to.match(operation);
    expect(ms).to.be.within(BOUND_MS - 50, 2_000);
  };

  it('bounds append', async () => {
    await expectBounded(store.append('s-1', [newEvent()], 'any'), /append to s-1/);
  });

  it('bounds an empty append (answered by reading the stream)', async () => {
    await expectBounded(store.append('s-1', [], 'any'), /read the end of s-1/);
  });

  it('bounds readStream', async () => {
    await expectBounded(store.readStream('s-1'), /read stream s-1/);
  });

  it('bounds readAll', async () => {
    await expectBounded(store.readAll({ maxCount: 10 }), /read \$all/);
  });

  it('bounds headPosition', async () => {
    await expectBounded(store.headPosition(), /head of \$all/);
  });

  it('bounds calls made one after another and concurrently', async () => {
    await expectBounded(store.append('s-1', [newEvent()], 'no_stream'), /append/);
    await Promise.all([
      expectBounded(store.append('s-2', [newEvent()], 0), /append to s-2/),
      expectBounded(store.readStream('s-2'), /read stream s-2/),
      expectBounded(store.headPosition(), /head/),
    ]);
  });

  it('ends a subscription that is never confirmed with the timeout error', async () => {
    const sub = store.subscribeAll({ filter: { streamPrefixes: ['s-'] } });
    const iterate = (async () => {
      for await (const _ of sub) throw new Error('no event can arrive');
    })();
    await expectBounded(iterate, /subscribe to \$all/);
    await sub.close();
  });

  it('does not crash when a subscription times out with no one iterating', async () => {
    const sub = store.subscribeAll();
    await new Promise((resolve) => setTimeout(resolve, BOUND_MS + 200));
    await sub.close();
  });

  it('closes promptly with calls and a subscription pending, and refuses calls after', async () => {
    const pending = store.append('s-1', [newEvent()], 'any').catch(() => undefined);
    const sub = store.subscribeAll();
    const consumed = (async () => {
      let n = 0;
      for await (const _ of sub) n += 1;
      return n;
    })();
    const started = Date.now();
    await store.close();
    expect(Date.now() - started).to.be.below(2_000);
    expect(await consumed).to.equal(0);
    await pending;
    await store.close(); // idempotent
    const { error } = await rejection(store.readStream('s-1'));
    expect(String(error)).to.match(/closed/);
  });

  it('fails openEsdbEventStore within the bound', async () => {
    const { error, ms } = await rejection(openEsdbEventStore(serverUrl, { timeoutMs: BOUND_MS }));
    expect(error).to.be.instanceOf(EventStoreTimeoutError);
    expect(ms).to.be.below(2_000);
  });
});

describe('EventStoreDB adapter mapping', () => {
  describe('expected revision', () => {
    it('maps the named expectations and revisions', () => {
      expect(toEsdbExpectedRevision('any')).to.equal('any');
      expect(toEsdbExpectedRevision('no_stream')).to.equal('no_stream');
      expect(toEsdbExpectedRevision('stream_exists')).to.equal('stream_exists');
      expect(toEsdbExpectedRevision(0)).to.equal(0n);
      expect(toEsdbExpectedRevision(41)).to.equal(41n);
    });

    it('refuses numbers that are not revisions', () => {
      for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
        expect(() => toEsdbExpectedRevision(bad)).to.throw(RangeError);
      }
    });

    it('applies EventStoreDB expectations locally for empty appends', () => {
      expect(satisfiesExpected('any', undefined)).to.equal(true);
      expect(satisfiesExpected('no_stream', undefined)).to.equal(true);
      expect(satisfiesExpected('no_stream', 0)).to.equal(false);
      expect(satisfiesExpected('stream_exists', undefined)).to.equal(false);
      expect(satisfiesExpected('stream_exists', 3)).to.equal(true);
      expect(satisfiesExpected(3, 3)).to.equal(true);
      expect(satisfiesExpected(2, 3)).to.equal(false);
    });
  });

  describe('conflict', () => {
    it('maps the client error to a typed Conflict', () => {
      const error = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 2n });
      expect(toConflict('s', 0, error.actualVersion)).to.deep.equal({ _tag: 'Conflict', streamId: 's', expected: 0, actual: 2 });
    });

    it('maps a missing stream, however the server reports it, to no_stream', () => {
      expect(toConflict('s', 'stream_exists', 'no_stream')).to.deep.equal({
        _tag: 'Conflict',
        streamId: 's',
        expected: 'stream_exists',
        actual: 'no_stream',
      });
      expect(toConflict('s', 4, -1n)).to.deep.include({ actual: 'no_stream' });
    });

    it('refuses revisions beyond safe integers', () => {
      expect(toRevision(9_007_199_254_740_991n)).to.equal(Number.MAX_SAFE_INTEGER);
      expect(() => toRevision(9_007_199_254_740_993n)).to.throw(RangeError);
    });
  });

  describe('positions', () => {
    it('map both ways unchanged', () => {
      const p = { commit: 18_446_744_073_709_551_615n, prepare: 12n };
      expect(fromEsdbPosition(p)).to.deep.equal(p);
      expect(toEsdbPosition(fromEsdbPosition(p))).to.deep.equal(p);
    });
  });

  describe('events', () => {
    const metadata = { userId: 'u1', correlationId: 'c1', causationId: 'k1', timestamp: '2024-01-01T00:00:00.000Z', schemaVersion: 2 };

    it('passes our id, type and data through and adds the $ metadata keys', () => {
      const e = newEvent({ metadata });
      const data = toEventData(e);
      expect(data).to.deep.include({ id: e.id, type: e.type, contentType: 'application/json', data: e.data });
      expect(data.metadata).to.deep.equal({ ...metadata, $correlationId: 'c1', $causationId: 'k1' });
    });

    it('omits $causationId when there is no causation', () => {
      expect(toEsdbMetadata({ correlationId: 'c', timestamp: 't', schemaVersion: 1 })).to.deep.equal({
        correlationId: 'c',
        timestamp: 't',
        schemaVersion: 1,
        $correlationId: 'c',
      });
    });

    const record = (overrides: Partial<EsdbRecord> = {}): EsdbRecord => ({
      streamId: 'chat-1',
      id: 'e1',
      revision: 7n,
      type: 'MessageSent',
      isJson: true,
      data: { text: 'hi' },
      metadata: { ...metadata, $correlationId: 'c1', $causationId: 'k1' },
      position: { commit: 100n, prepare: 90n },
      ...overrides,
    });

    it('maps a recorded event, dropping the $ keys', () => {
      expect(toRecordedEvent(record())).to.deep.equal({
        id: 'e1',
        type: 'MessageSent',
        data: { text: 'hi' },
        metadata,
        streamId: 'chat-1',
        revision: 7,
        position: { commit: 100n, prepare: 90n },
      });
    });

    it('keeps absent optional metadata absent', () => {
      const minimal = { correlationId: 'c', timestamp: 't', schemaVersion: 1 };
      expect(fromEsdbMetadata({ ...minimal, $correlationId: 'c' })).to.deep.equal(minimal);
    });

    it('refuses events it did not write', () => {
      expect(() => toRecordedEvent(record({ isJson: false, data: new Uint8Array([1]) }))).to.throw(EsdbDecodeError, /application\/json/);
      expect(() => toRecordedEvent(record({ data: [1, 2] }))).to.throw(EsdbDecodeError, /data/);
      expect(() => toRecordedEvent(record({ metadata: undefined }))).to.throw(EsdbDecodeError, /metadata/);
      expect(() => toRecordedEvent(record({ metadata: { correlationId: 'c', timestamp: 't', schemaVersion: '1' } }))).to.throw(
        EsdbDecodeError,
        /schemaVersion/,
      );
      // An event imported from a log older than versioning has none, and keeps none (its ledger leaf hashes the metadata as stored).
      expect(toRecordedEvent(record({ metadata: { correlationId: 'c', timestamp: 't' } })).metadata).to.deep.equal({ correlationId: 'c', timestamp: 't' });
      expect(() => toRecordedEvent(record({ position: undefined }))).to.throw(EsdbDecodeError, /position/);
    });
  });

  describe('filters', () => {
    it('never lets system events through', () => {
      expect(isSystemEvent({ streamId: '$stats-1', type: 'Stats' })).to.equal(true);
      expect(isSystemEvent({ streamId: 'chat-1', type: '$>' })).to.equal(true);
      expect(isSystemEvent({ streamId: 'chat-1', type: 'MessageSent' })).to.equal(false);
      expect(eventMatcher(undefined)({ streamId: '$$chat-1', type: '$metadata' })).to.equal(false);
      expect(eventMatcher({ streamPrefixes: ['$'] })({ streamId: '$settings', type: 'Settings' })).to.equal(false);
    });

    it('matches stream prefixes and exact types together, empty lists constraining nothing', () => {
      const m = eventMatcher({ streamPrefixes: ['chat-', 'invites'], eventTypes: ['MessageSent'] });
      expect(m({ streamId: 'chat-1', type: 'MessageSent' })).to.equal(true);
      expect(m({ streamId: 'invites', type: 'MessageSent' })).to.equal(true);
      expect(m({ streamId: 'chat-1', type: 'MessageSentV2' })).to.equal(false);
      expect(m({ streamId: 'user-1', type: 'MessageSent' })).to.equal(false);
      expect(eventMatcher({ streamPrefixes: [], eventTypes: [] })({ streamId: 'x', type: 'y' })).to.equal(true);
    });

    it('asks the server for stream prefixes first, else types, else non-system events', () => {
      expect(serverFilter({ streamPrefixes: ['chat-'], eventTypes: ['A'] })).to.deep.include({ filterOn: 'streamName', prefixes: ['chat-'] });
      expect(serverFilter({ eventTypes: ['A', 'B', 'A'] })).to.deep.include({ filterOn: 'eventType', prefixes: ['A', 'B'] });
      expect(serverFilter({ streamPrefixes: [] })).to.deep.equal(excludeSystemEvents());
    });
  });
});

describe('withTimeout', () => {
  it('settles as the work does within the bound', async () => {
    expect(await withTimeout(Promise.resolve(42), 1_000, 'work')).to.equal(42);
    const { error } = await rejection(withTimeout(Promise.reject(new Error('boom')), 1_000, 'work'));
    expect(String(error)).to.match(/boom/);
  });

  it('rejects with a TimeoutError, then runs the cleanup, and ignores the late outcome', async () => {
    let cleaned = false;
    let fail: (e: Error) => void = () => undefined;
    const late = new Promise<never>((_, reject) => (fail = reject));
    const { error, ms } = await rejection(withTimeout(late, 50, 'slow work', { onTimeout: () => (cleaned = true) }));
    expect(error).to.be.instanceOf(TimeoutError);
    expect(error).to.deep.include({ operation: 'slow work', timeoutMs: 50 });
    expect(String(error)).to.match(/slow work did not complete within 50 ms/);
    expect(ms).to.be.below(1_000);
    expect(cleaned).to.equal(true);
    fail(new Error('late')); // must not surface as an unhandled rejection
  });

  it('uses the error factory', async () => {
    const { error } = await rejection(withTimeout(new Promise(() => undefined), 10, 'op', { error: (op, ms) => new EventStoreTimeoutError(op, ms) }));
    expect(error).to.be.instanceOf(EventStoreTimeoutError);
    expect(String(error)).to.match(/EventStoreDB: op got no answer within 10 ms/);
  });

  it('leaves the work unbounded for a bound that is not a positive timer delay', async () => {
    expect(await withTimeout(Promise.resolve('x'), Number.POSITIVE_INFINITY, 'op')).to.equal('x');
  });
});
