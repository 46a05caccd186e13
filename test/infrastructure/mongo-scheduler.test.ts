import { randomUUID } from 'node:crypto';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda, type Job } from 'agenda';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { MongoNodeLeases } from '../../src/infrastructure/scheduler/node-leases.js';
import { nodeLeasesContract } from '../contract/node-leases.contract.js';

const url = process.env['MONGODB_URL'];

if (url === undefined || url === '') {
  describe('Scheduler on MongoDB (agenda Mongo backend, node leases)', () => {
    it.skip('MONGODB_URL unset: run `docker compose up -d` and `MONGODB_URL=mongodb://localhost:27017 npm test`');
  });
} else {
  let client: MongoClient | undefined;
  const connect = async (): Promise<MongoClient> => (client ??= await MongoClient.connect(url));
  const freshDb = async () => (await connect()).db(`scheduler_test_${randomUUID().replaceAll('-', '')}`);

  nodeLeasesContract('MongoDB', async () => {
    const db = await freshDb();
    return { leases: new MongoNodeLeases(db), other: new MongoNodeLeases(db), cleanup: async () => void (await db.dropDatabase()) };
  });

  describe('agenda on MongoDB', function () {
    this.timeout(30_000);
    it('two Agenda instances on one database: 20 one-off jobs scheduled now each run exactly once', async () => {
      const db = await freshDb();
      const runs = new Map<number, number>();
      const agendas = [0, 1].map(() => new Agenda({ backend: new MongoBackend({ mongo: db }), processEvery: 50, lockLimit: 5 }));
      for (const ag of agendas) {
        ag.define('count', async (j: Job<{ n: number }>) => {
          runs.set(j.attrs.data.n, (runs.get(j.attrs.data.n) ?? 0) + 1);
        });
      }
      await Promise.all(agendas.map((ag) => ag.start()));
      for (let n = 0; n < 20; n++) await agendas[n % 2]!.now('count', { n });
      const deadline = Date.now() + 15_000;
      while (runs.size < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      await Promise.all(agendas.map((ag) => ag.stop()));
      await db.dropDatabase();
      expect(runs.size).to.equal(20);
      expect(
        [...runs.values()].every((c) => c === 1),
        JSON.stringify([...runs]),
      ).to.equal(true);
    });
  });

  after(async () => {
    await client?.close();
  });
}
