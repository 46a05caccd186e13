import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import type { ReadModelStore } from '../../src/application/ports/read-model.js';
import { GENERATIONS_COLLECTION, pointerFilter, type GenerationPointer } from '../../src/infrastructure/readmodel/mongo/generation-documents.js';
import { currentMongoGeneration, MongoReadModelGenerations } from '../../src/infrastructure/readmodel/mongo/mongo-generations.js';
import { MongoReadModelStore } from '../../src/infrastructure/readmodel/mongo/mongo-read-model-store.js';
import { PROJECTION, scriptedHistory, snapshot } from '../contract/read-model-fixtures.js';

const url = process.env['MONGODB_URL'];

const refuses = async (f: () => Promise<unknown>): Promise<boolean> =>
  f().then(
    () => false,
    () => true,
  );

if (url === undefined || url === '') {
  describe('MongoReadModelGenerations', () => {
    it.skip('MONGODB_URL unset: run `docker compose up -d` and `MONGODB_URL=mongodb://localhost:27017 npm test`');
  });
} else {
  describe('MongoReadModelGenerations', () => {
    let client: MongoClient;
    let base: string;
    let generations: MongoReadModelGenerations;
    const opened: ReadModelStore[] = [];
    const open = async (generation: string): Promise<ReadModelStore> => {
      const store = await generations.open(generation);
      opened.push(store);
      return store;
    };
    const indexNames = async (db: string, collection: string): Promise<string[]> =>
      (await client.db(db).collection(collection).listIndexes().toArray()).map((i) => String(i['name']));

    before(async () => {
      client = await MongoClient.connect(url);
    });

    after(async () => {
      await client.close();
    });

    beforeEach(() => {
      base = `rmgen_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      generations = new MongoReadModelGenerations(client, base);
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      const { databases } = await client.db(base).admin().listDatabases({ nameOnly: true });
      for (const d of databases) if (d.name === base || d.name.startsWith(`${base}_g`)) await client.db(d.name).dropDatabase();
    });

    it('serves the base database until switched, on a client its stores do not close', async () => {
      expect(await generations.current()).to.equal(base);
      const store = await generations.open(base);
      await store.apply(PROJECTION, scriptedHistory().log.batches(1000)[0] ?? []);
      await store.close();
      expect(await generations.current(), 'the shared client is still open').to.equal(base);
      expect((await (await open(base)).checkpoint(PROJECTION))?.commit).to.equal(BigInt(scriptedHistory().log.events.length));
    });

    it('create() makes an empty generation with its indexes; create(copyFrom) copies rows and checkpoint under live writes', async () => {
      const empty = await generations.create();
      expect(empty).to.match(new RegExp(`^${base}_g\\d+$`));
      expect(await generations.create(), 'two creates, two databases').to.not.equal(empty);
      expect(await (await open(empty)).checkpoint(PROJECTION)).to.equal(undefined);
      expect(await indexNames(empty, 'members')).to.include('chat_user');

      const script = scriptedHistory();
      const batches = script.log.batches(1);
      const half = Math.floor(batches.length / 2);
      const source = await open(base);
      for (const b of batches.slice(0, half)) await source.apply(PROJECTION, b);
      // Another client keeps writing the rest while the copy runs.
      const writerClient = await MongoClient.connect(url);
      let copy: string;
      try {
        const writer = await MongoReadModelStore.on(writerClient.db(base));
        const writing = (async () => {
          for (const b of batches.slice(half)) await writer.apply(PROJECTION, b);
        })();
        [copy] = await Promise.all([generations.create(base), writing]);
      } finally {
        await writerClient.close();
      }
      const target = await open(copy);
      const copiedAt = await target.checkpoint(PROJECTION);
      expect(Number(copiedAt?.commit ?? 0n)).to.be.at.least(half);
      expect(await indexNames(copy, 'notifications')).to.include('user_notification');
      // What the rebuild does next: carry on from the copied checkpoint (redelivery is harmless).
      for (const b of batches) await target.apply(PROJECTION, b);
      expect(await snapshot(target, script)).to.deep.equal(await snapshot(source, script));
      expect(await generations.current(), 'copying switches nothing').to.equal(base);
    });

    it('switchTo moves the pointer for every instance; refuses unknown and foreign databases', async () => {
      const next = await generations.create();
      await generations.switchTo(next);
      expect(await new MongoReadModelGenerations(client, base).current()).to.equal(next);
      expect(await currentMongoGeneration(client, base)).to.equal(next);
      const pointer = await client.db(base).collection<GenerationPointer>(GENERATIONS_COLLECTION).findOne(pointerFilter);
      expect(pointer).to.deep.equal({ _id: 'current', database: next });
      expect(await refuses(() => generations.switchTo(`${base}_g1`)), 'never created').to.equal(true);
      expect(await refuses(() => generations.switchTo('admin')), 'not a generation').to.equal(true);
      await generations.switchTo(base);
      expect(await generations.current()).to.equal(base);
    });

    it('drops a generation but never the current one, and from the base only the read models', async () => {
      const next = await generations.create();
      expect(await refuses(() => generations.drop(base)), 'current').to.equal(true);
      await generations.switchTo(next);
      expect(await refuses(() => generations.drop(next)), 'current').to.equal(true);

      const old = await open(base);
      await old.apply(PROJECTION, scriptedHistory().log.batches(1000)[0] ?? []);
      // Another tenant of the base database (the scheduler keeps its leases and jobs there).
      await client.db(base).collection<{ _id: string; node: string }>('nodeLeases').insertOne({ _id: randomUUID(), node: 'n1' });
      await generations.drop(base);
      const left = (await client.db(base).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
      expect(left).to.deep.equal(['nodeLeases', GENERATIONS_COLLECTION].sort());
      expect(await generations.current(), 'the pointer survives').to.equal(next);

      await generations.switchTo(base);
      await generations.drop(next);
      const { databases } = await client.db(base).admin().listDatabases({ nameOnly: true });
      expect(databases.map((d) => d.name)).to.not.include(next);
      expect(await refuses(() => generations.drop('admin'))).to.equal(true);
    });
  });
}
