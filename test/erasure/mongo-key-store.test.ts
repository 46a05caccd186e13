import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { MongoKeyStore } from '../../src/infrastructure/keys/mongo-key-store.js';
import { keyStoreContract } from '../contract/key-store.contract.js';

const url = process.env['MONGODB_URL'];

// The read models' DocumentDb (and its in-memory twin) knows only the read-model collections and
// cannot delete documents, so this adapter talks to the driver and runs against a real server only.
if (url === undefined || url === '') {
  describe('MongoKeyStore', () => {
    it.skip('MONGODB_URL unset: run `docker compose up -d` and `MONGODB_URL=mongodb://localhost:27017 npm test`');
  });
} else {
  // One client for the run; a database per harness, dropped after its test.
  let client: MongoClient | undefined;
  const connect = async (): Promise<MongoClient> => (client ??= await MongoClient.connect(url));

  keyStoreContract('MongoDB', async () => {
    const db = (await connect()).db(`keys_test_${randomUUID().replaceAll('-', '')}`);
    const wrappingKey = randomBytes(32);
    const store = await MongoKeyStore.on(db, { wrappingKey });
    return {
      store,
      open: (key = wrappingKey) => MongoKeyStore.on(db, { wrappingKey: key }),
      cleanup: async () => void (await db.dropDatabase()),
    };
  });

  after(async () => {
    await client?.close();
  });
}
