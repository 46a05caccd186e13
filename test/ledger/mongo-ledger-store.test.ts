import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { MerkleLog } from '../../src/application/ledger/merkle-log.js';
import { hashLeaf, rootOf } from '../../src/application/ledger/merkle.js';
import { MongoLedgerStore } from '../../src/infrastructure/ledger/mongo-ledger-store.js';
import { ledgerStoreContract } from '../contract/ledger-store.contract.js';
import { FakeMongoDb } from './fake-mongo-db.js';

const url = process.env['MONGODB_URL'];

// Always: the adapter's logic on an in-memory stand-in for the driver (no server involved).
ledgerStoreContract('MongoLedgerStore on an in-memory fake of the driver', async () => {
  const db = new FakeMongoDb().asDb();
  const store = await MongoLedgerStore.on(db);
  return { store, reopen: () => MongoLedgerStore.on(db), cleanup: async () => undefined };
});

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

describe('MongoLedgerStore beyond the contract (in-memory fake of the driver)', () => {
  it('a crash between writing a batch and moving the committed size leaves nothing of it visible, and the next append replaces it', async () => {
    const fake = new FakeMongoDb();
    const store = await MongoLedgerStore.on(fake.asDb());
    const log = await MerkleLog.open(store);
    const leaves = Array.from({ length: 40 }, (_, i) => ({ eventId: `e${i}`, hash: hashLeaf(Buffer.from(`leaf ${i}`)), position: `${i + 1}` }));
    await log.append(leaves.slice(0, 10));
    const meta = fake.collection('ledger_meta');
    const updateOne = meta.updateOne.bind(meta);
    meta.updateOne = async () => {
      throw new Error('injected: crashed before the commit');
    };
    // A batch that never commits, of other leaves: its leftover nodes must never be read.
    const ghosts = Array.from({ length: 20 }, (_, i) => ({ eventId: `ghost${i}`, hash: hashLeaf(Buffer.from(`ghost ${i}`)), position: `${i + 11}` }));
    const failed = await log.append(ghosts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).to.be.instanceOf(Error);
    meta.updateOne = updateOne;
    expect(fake.collection('ledger_leaves').docs).to.have.length(30); // written, not committed
    expect(await store.size()).to.equal(10);
    expect(await store.leafIndex('ghost5')).to.equal(undefined);
    expect(await store.leaves(0, 100)).to.have.length(10);
    // The real batches after the crash: the leftovers go, the new leaves and nodes count.
    expect(await log.append(leaves.slice(10, 15))).to.equal(15);
    expect(fake.collection('ledger_leaves').docs).to.have.length(15);
    expect(await log.append(leaves.slice(15, 40))).to.equal(40);
    expect((await log.rootAt(40)).equals(rootOf(leaves.map((l) => l.hash)))).to.equal(true);
    expect((await log.rootAt(31)).equals(rootOf(leaves.slice(0, 31).map((l) => l.hash)))).to.equal(true);
  });
});
