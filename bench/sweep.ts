/**
 * How long one presence sweep takes over 10,000 online users on the embedded stores (not a test).
 * The users come online through the real commands (registerUser, openConnection), the read-model
 * projection nominates them, and the sweep job runs once as a scheduled run would:
 *   (a) nobody inactive, aggregate cache warm (a node that served these users),
 *   (b) nobody inactive, cache cold (another node running the job),
 *   (c) everybody inactive: 10,000 UserWentOffline appended.
 * `node dist/bench/sweep.js [users]`; BENCH_DIR chooses the directory (default: the OS temp dir).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregatesOf } from '../src/application/aggregates/aggregates.js';
import { AggregateRepository } from '../src/application/aggregates/repository.js';
import { BlockersIndex } from '../src/application/blocks/blockers-index.js';
import { LogProcessor } from '../src/application/log/log-processor.js';
import { openConnection } from '../src/application/presence/connections.js';
import { presenceSweepJob } from '../src/application/presence/sweep.js';
import { READ_MODEL_PROJECTION, readModelConsumer } from '../src/application/read-models/projection.js';
import type { Actor, CommandDeps } from '../src/application/shared/deps.js';
import { registerUser } from '../src/application/users/register.js';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { SqliteReadModelStore } from '../src/infrastructure/readmodel/sqlite/sqlite-read-model-store.js';
import { memoryKeys } from '../test/support/memory-keys.js';

const { personal, usernames } = memoryKeys();

const USERS = Number(process.argv[2] ?? 10_000);
const SETUP_IN_FLIGHT = 500;
const HOUR = 3_600_000;

const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-sweep-'));
const store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'FULL' });
const readModels = SqliteReadModelStore.open({ path: join(dir, 'readmodels.db') });
const log = new LogProcessor(store, personal, createLogger('silent'));
await log.start();
const projections = log.run(readModelConsumer({ name: READ_MODEL_PROJECTION, target: () => readModels, batching: { max: 5000 } }));
await projections.started;

const depsWith = (repo: AggregateRepository, now: () => Date = () => new Date()): CommandDeps => ({
  aggregates: aggregatesOf(repo),
  usernames,
  blockers: new BlockersIndex(() => store.headPosition(), 1000),
  lookups: async () => readModels,
  policies: { nodeId: 'bench-node', inviteTtlMs: 300_000, inviteRateLimit: { max: 10, windowMs: 60_000 }, gameGraceMs: 120_000, activityThrottleMs: 60_000 },
  now,
  newId: randomUUID,
});

const caughtUp = async (): Promise<void> => {
  const head = await store.headPosition();
  if (head !== undefined && !(await projections.tracker.waitFor(head, 120_000))) throw new Error('projection did not catch up');
};

const timed = async (label: string, run: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  process.stdout.write(`${label.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms\n`);
  return ms;
};

const sweepOnce = (deps: CommandDeps, inactivityThresholdMs: number) => () =>
  presenceSweepJob(deps, { everyMs: HOUR, inactivityThresholdMs }).run({ correlationId: randomUUID(), touch: async () => {} });

try {
  const warm = new AggregateRepository(store, personal);
  const deps = depsWith(warm);
  let next = 0;
  await timed(`setup: ${USERS} users registered and connected`, async () => {
    const worker = async (): Promise<void> => {
      for (let i = next++; i < USERS; i = next++) {
        const actor: Actor = { userId: `u-${i}`, username: `user${i}`, nickname: `User ${i}`, avatar: '', connectionId: randomUUID() };
        await registerUser(deps, actor, randomUUID());
        await openConnection(deps, actor, randomUUID());
      }
    };
    await Promise.all(Array.from({ length: SETUP_IN_FLIGHT }, worker));
    await caughtUp();
  });
  const online = await readModels.onlineUserIds();
  if (online.length !== USERS) throw new Error(`expected ${USERS} online, read model has ${online.length}`);

  await timed('(a) sweep, nobody inactive, warm cache', sweepOnce(deps, HOUR));
  await timed('(b) sweep, nobody inactive, cold cache', sweepOnce(depsWith(new AggregateRepository(store, personal)), HOUR));
  // A minute later with a one-second threshold: every user is inactive.
  const later = depsWith(new AggregateRepository(store, personal), () => new Date(Date.now() + 60_000));
  await timed(`(c) sweep forcing ${USERS} users offline, cold cache`, sweepOnce(later, 1000));
  await caughtUp();
  const left = (await readModels.onlineUserIds()).length;
  if (left !== 0) throw new Error(`${left} users still online after the sweep`);
  process.stdout.write(`after (c): ${left} users online in the read model\n`);
} finally {
  await log.stop();
  await store.close();
  await readModels.close();
  rmSync(dir, { recursive: true, force: true });
}
