import { join } from 'node:path';
import { Agenda, InMemoryNotificationChannel, type AgendaBackend } from 'agenda';
import type { NodeLeases } from '../../application/ports/node-leases.js';
import type { ReactorCheckpoints } from '../../application/ports/reactor-checkpoints.js';
import type { Config } from '../config/config.js';
import { MongoNodeLeases, SqliteNodeLeases } from './node-leases.js';
import { MongoReactorCheckpoints, SqliteReactorCheckpoints } from './reactor-checkpoints.js';
import { SqliteAgendaBackend } from './sqlite-agenda-backend.js';

export const SCHEDULER_DB = 'scheduler.db';

export interface SchedulerStores {
  readonly agenda: Agenda;
  readonly leases: NodeLeases;
  readonly reactors: ReactorCheckpoints;
  /** Closes the job store and the leases: after the last running job saved its state. */
  close(): Promise<void>;
}

interface Backing {
  readonly backend: AgendaBackend;
  readonly leases: NodeLeases;
  readonly reactors: ReactorCheckpoints;
  close(): Promise<void>;
}

/** `DATA_DIR/scheduler.db`, one file for jobs and leases (two connections). */
const sqliteBacking = (config: Config): Backing => {
  const path = join(config.dataDir, SCHEDULER_DB);
  const backend = new SqliteAgendaBackend({ path });
  const leases = SqliteNodeLeases.open(path);
  const reactors = SqliteReactorCheckpoints.open(path);
  return { backend, leases, reactors, close: async () => Promise.all([backend.disconnect(), leases.close(), reactors.close()]).then(() => undefined) };
};

/**
 * The database of `MONGODB_URL` through one client, connected here so that an unreachable server
 * fails start-up plainly (agenda connects a backend from its constructor and leaves a rejection
 * unhandled); `@agendajs/mongo-backend` and the leases share it.
 */
const mongoBacking = async (url: string): Promise<Backing> => {
  const [{ MongoClient }, { MongoBackend }] = await Promise.all([import('mongodb'), import('@agendajs/mongo-backend')]);
  const client = await MongoClient.connect(url);
  const db = client.db();
  return { backend: new MongoBackend({ mongo: db }), leases: new MongoNodeLeases(db), reactors: new MongoReactorCheckpoints(db), close: () => client.close() };
};

/**
 * The one place that picks the job store: MongoDB with `MONGODB_URL`, else SQLite. Everything
 * above it (job definitions, scheduling, locking) is the same agenda code either way.
 */
export const openSchedulerStores = async (config: Config): Promise<SchedulerStores> => {
  const { backend, leases, reactors, close } = config.mongoUrl === undefined ? sqliteBacking(config) : await mongoBacking(config.mongoUrl);
  try {
    // Surfaces a connection or schema error here; agenda's own connect() then finds it done.
    await backend.connect();
  } catch (err) {
    await close();
    throw err;
  }
  const agenda = new Agenda({
    backend,
    // Shows as lastModifiedBy on jobs: which node locked or ran them.
    name: config.nodeId,
    processEvery: config.scheduler.processEveryMs,
    defaultLockLifetime: config.scheduler.lockLifetimeMs,
    // In-process only: a job saved here for "soon" is picked up at once by this node instead of at
    // its next poll. Other nodes still find it by polling, and the lock keeps it to one run.
    notificationChannel: new InMemoryNotificationChannel(),
  });
  return { agenda, leases, reactors, close };
};
