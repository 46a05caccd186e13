import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { MongoLedgerStore } from '../../src/infrastructure/ledger/mongo-ledger-store.js';
import { ledgerStoreContract } from '../contract/ledger-store.contract.js';

const url = process.env['MONGODB_URL'];

if (url === undefined || url === '') {
  describe('MongoLedgerStore', () => {
    it.skip('MONGODB_URL unset: run `docker compose up -d` and `MONGODB_URL=mongodb://localhost:27017 npm test`');
  });
} else {
  // One client for the run; a database per store, dropped after its test.
  let client: MongoClient | undefined;
  const connect = async (): Promise<MongoClient> => (client ??= await MongoClient.connect(url));

  ledgerStoreContract('MongoLedgerStore', async () => {
    const db = (await connect()).db(`ledger_test_${randomUUID().replaceAll('-', '')}`);
    const store = await MongoLedgerStore.on(db);
    return { store, reopen: () => MongoLedgerStore.on(db), cleanup: async () => void (await db.dropDatabase()) };
  });

  after(async () => {
    await client?.close();
  });
}
