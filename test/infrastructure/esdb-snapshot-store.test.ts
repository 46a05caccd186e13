import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { openEsdbEventStore, type EsdbEventStore } from '../../src/infrastructure/eventstore/esdb/esdb-event-store.js';
import { EsdbSnapshotStore, snapshotStreamOf } from '../../src/infrastructure/snapshots/esdb-snapshot-store.js';
import { snapshotStoreContract } from '../contract/snapshot-store.contract.js';
import { FakeEsdbServer } from './fake-esdb-server.js';

const url = process.env.EVENTSTORE_URL;

if (url !== undefined && url !== '') {
  snapshotStoreContract('EsdbSnapshotStore on EventStoreDB', async () => {
    const store = EsdbSnapshotStore.connect(url);
    return { store, reopen: async () => EsdbSnapshotStore.connect(url), cleanup: () => store.close() };
  });
} else {
  describe('EsdbSnapshotStore on EventStoreDB', () => {
    it.skip('EVENTSTORE_URL unset: start EventStoreDB with `docker compose up -d` and run `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm test`');
  });
}

describe('EsdbSnapshotStore over the fake gRPC server', () => {
  let fake: FakeEsdbServer;
  before(async () => {
    fake = await FakeEsdbServer.start();
  });
  after(() => fake.stop());

  snapshotStoreContract('EsdbSnapshotStore over the fake server', async () => {
    const store = EsdbSnapshotStore.connect(fake.url);
    return { store, reopen: async () => EsdbSnapshotStore.connect(fake.url), cleanup: () => store.close() };
  });

  describe('beside the log', () => {
    let snapshots: EsdbSnapshotStore;
    let events: EsdbEventStore;
    beforeEach(async () => {
      snapshots = EsdbSnapshotStore.connect(fake.url);
      events = await openEsdbEventStore(fake.url, { pageSize: 7 });
    });
    afterEach(async () => {
      await snapshots.close();
      await events.close();
    });

    const snapshot = (streamId: string) => ({ streamId, version: 1, revision: 3, eventId: randomUUID(), state: { n: 1 } });

    const event = () => ({
      id: randomUUID(),
      type: 'Tested',
      data: {},
      metadata: { correlationId: 'c', timestamp: '2026-01-01T00:00:00.000Z', schemaVersion: 1 },
    });

    it('keeps snapshots out of the log: not in $all reads, subscriptions or the head', async () => {
      const stream = `chat-${randomUUID()}`;
      const before = await events.headPosition();
      const subscription = events.subscribeAll(before === undefined ? {} : { after: before });
      const appended = await events.append(stream, [event()], 'no_stream');
      if (appended._tag !== 'Appended') throw new Error('not appended');
      await snapshots.save(snapshot(stream));
      const last = await events.append(stream, [event()], 0);
      const seen: string[] = [];
      for await (const e of subscription) {
        seen.push(e.streamId);
        if (last._tag === 'Appended' && e.revision === last.nextRevision && e.streamId === stream) break;
      }
      await subscription.close();
      expect(seen).to.deep.equal([stream, stream]);
      expect(await snapshots.load(stream)).to.include({ revision: 3 });
      await snapshots.save(snapshot(stream));
      expect(await events.headPosition()).to.deep.equal(last._tag === 'Appended' ? last.position : undefined);
      const read = await events.readAll();
      expect(read.filter((e) => e.streamId.startsWith('snapshot-'))).to.deep.equal([]);
      expect(read.map((e) => e.streamId)).to.include(stream);
    });

    it('sets $maxCount 1 on a snapshot stream when it is created', async () => {
      const stream = `chat-${randomUUID()}`;
      await snapshots.save(snapshot(stream));
      await snapshots.save(snapshot(stream));
      const client = EventStoreDBClient.connectionString(fake.url);
      try {
        const meta: { type: string; data: unknown }[] = [];
        for await (const r of client.readStream(`$$${snapshotStreamOf(stream)}`))
          if (r.event !== undefined) meta.push({ type: r.event.type, data: r.event.data });
        expect(meta).to.deep.equal([{ type: '$metadata', data: { $maxCount: 1 } }]);
      } finally {
        await client.dispose();
      }
    });

    it('answers undefined for a snapshot event it cannot read', async () => {
      const stream = `chat-${randomUUID()}`;
      const client = EventStoreDBClient.connectionString(fake.url);
      try {
        await client.appendToStream(snapshotStreamOf(stream), jsonEvent({ type: 'Snapshot', data: { version: 'one', state: {} } }));
      } finally {
        await client.dispose();
      }
      expect(await snapshots.load(stream)).to.equal(undefined);
    });
  });
});
