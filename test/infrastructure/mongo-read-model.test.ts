import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { MongoReadModelStore } from '../../src/infrastructure/readmodel/mongo/mongo-read-model-store.js';
import { readModelContract } from '../contract/read-model.contract.js';

const url = process.env['MONGODB_URL'];

if (url === undefined || url === '') {
  describe('MongoReadModelStore', () => {
    it.skip('MONGODB_URL unset: run `docker compose up -d` and `MONGODB_URL=mongodb://localhost:27017 npm test`');
  });
} else {
  // One client for the run; a database per store, dropped after its test.
  let client: MongoClient | undefined;
  const connect = async (): Promise<MongoClient> => (client ??= await MongoClient.connect(url));

  readModelContract('MongoDB', async () => {
    const db = (await connect()).db(`readmodels_test_${randomUUID().replaceAll('-', '')}`);
    const store = await MongoReadModelStore.on(db);
    return { store, cleanup: async () => void (await db.dropDatabase()) };
  });

  after(async () => {
    await client?.close();
  });
}
