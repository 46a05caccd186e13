/**
 * The ledger's costs (not run by the tests):
 *
 *   npm run build && node dist/bench/ledger-verify.js [events]
 *     recomputing leaves and the root in memory, step by step: where the time goes.
 *
 *   npm run build && node dist/bench/ledger-verify.js --log [events] [-- ledger verify options]
 *     the real thing on a realistic embedded log of `events` (default 1,000,000; generated once by
 *     replay-bench.js into .bench/, as scenario (d) does): the service's ledger writer seals it
 *     into a fresh ledger (its catch-up rate), then `npm run ledger -- verify` runs on it as its
 *     own process; its one-line answer and its rate (wall and CPU) are printed. Anything after the
 *     events is passed to verify (`--threads 1`: the rate of one core).
 *
 * Target for verify: ≥ 200,000 events/s on the 2-core machine. Synthetic events below are shaped
 * like the service's MessageSent (encrypted content, uuid v7 ids, ~350-byte leaves).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJsonOf } from '../src/application/ledger/canonical-json.js';
import { dataHash, leafBytes, leafHash, leafJson, type LeafEvent } from '../src/application/ledger/leaf.js';
import { LedgerWriter } from '../src/application/ledger/ledger-writer.js';
import { hashChildren } from '../src/application/ledger/merkle.js';
import { LogProcessor } from '../src/application/log/log-processor.js';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { SqliteLedgerStore } from '../src/infrastructure/ledger/sqlite-ledger-store.js';
import { ledgerNoteSigner, loadLedgerSigningKey } from '../src/infrastructure/ledger/signing-key.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { SqliteReactorCheckpoints } from '../src/infrastructure/scheduler/reactor-checkpoints.js';
import { benchKeys } from './bench-keys.js';
import { cachedDataDir } from './cached-log.js';
import { runJsonScript } from './processes.js';

const fail = (why = 'empty pool'): never => {
  throw new Error(why);
};

/** Wall time, and CPU time of this process: on a shared machine the second is the fairer figure. */
const time = <T>(label: string, count: number, f: () => T): T => {
  const [wall, cpu] = [performance.now(), process.cpuUsage()];
  const result = f();
  const wallMs = performance.now() - wall;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const rate = (ms: number): string =>
    Math.round(count / (ms / 1000))
      .toLocaleString('en')
      .padStart(10);
  console.log(
    `${label.padEnd(40)} wall ${(wallMs / 1000).toFixed(2).padStart(6)} s ${rate(wallMs)} events/s | cpu ${((cpuMs * 1000) / count).toFixed(2).padStart(5)} µs/event ${rate(cpuMs)} events/s`,
  );
  return result;
};

/** Recomputing leaves and the root in memory, stage by stage. */
const inMemory = (count: number): void => {
  /** Distinct events, cycled to make `count`: a log's worth of objects would measure the garbage collector. */
  const POOL = 50_000;
  const pool: LeafEvent[] = Array.from({ length: Math.min(POOL, count) }, (_, i) => {
    const chatId = uuidv7();
    const timestamp = new Date(1_760_000_000_000 + i * 37).toISOString();
    return {
      id: uuidv7(),
      stream: `chat-${chatId}`,
      revision: i % 500,
      type: 'MessageSent',
      data: {
        chatId,
        messageId: uuidv7(),
        senderId: uuidv7(),
        content: { v: 1, key: uuidv7(), iv: 'q83vEjRWeJq8w7Id', ct: Buffer.alloc(48, i % 251).toString('base64') },
        seq: i,
        date: timestamp,
      },
      metadata: { userId: uuidv7(), correlationId: uuidv7(), timestamp, schemaVersion: 1 },
    };
  });
  function* eventsOf(n: number): Generator<LeafEvent> {
    for (let i = 0; i < n; i++) yield pool[i % pool.length] ?? fail();
  }
  /** Root by the RFC's merge-as-you-go: what a verifier does after hashing each leaf. */
  const rootOfStream = (hashes: Iterable<Buffer>): Buffer => {
    const stack: { level: number; hash: Buffer }[] = [];
    for (const hash of hashes) {
      let node = { level: 0, hash };
      for (let top = stack.at(-1); top?.level === node.level; top = stack.at(-1)) {
        stack.pop();
        node = { level: node.level + 1, hash: hashChildren(top.hash, node.hash) };
      }
      stack.push(node);
    }
    return stack.map((s) => s.hash).reduceRight((acc, h) => hashChildren(h, acc));
  };
  const first = pool[0] ?? fail();
  console.log(
    `${count.toLocaleString('en')} events (${pool.length.toLocaleString('en')} distinct), leaf ${leafBytes(first).length} bytes, data ${canonicalJsonOf(first.data).length} bytes (canonical)`,
  );
  // Warm up the JIT, then measure.
  for (const e of eventsOf(20_000)) leafHash(e);
  function* leafHashesOf(n: number): Generator<Buffer> {
    for (const e of eventsOf(n)) yield leafHash(e);
  }
  const root = time('whole pipeline: leaves and root', count, () => rootOfStream(leafHashesOf(count)));
  console.log(`root ${root.toString('base64')}`);
  // Each stage adds one step to the previous one; the differences are what each step costs.
  console.log('stages (cumulative):');
  let sink = 0;
  time('  canonical JSON of data', count, () => {
    for (const e of eventsOf(count)) sink += canonicalJsonOf(e.data).length;
  });
  time('  + its SHA-256, hex (data_hash)', count, () => {
    for (const e of eventsOf(count)) sink += dataHash(e.data).length;
  });
  time('  + the leaf text (canonical metadata)', count, () => {
    for (const e of eventsOf(count)) sink += leafJson(e).length;
  });
  time('  + SHA-256(0x00 ‖ UTF-8 of the leaf)', count, () => {
    for (const e of eventsOf(count)) sink += leafHash(e).length;
  });
  console.log(`  + the tree's n-1 inner nodes: the whole pipeline above (${sink > 0 ? 'done' : ''})`);
};

/** The ledger writer of the service, on its own: from an empty ledger to one sealed at the log's head. */
const sealLog = async (dataDir: string): Promise<void> => {
  const logger = createLogger('silent');
  const keys = benchKeys(dataDir);
  const events = SqliteEventStore.open({ path: join(dataDir, 'events.db'), synchronous: 'NORMAL' });
  const store = SqliteLedgerStore.open({ directory: dataDir });
  const leases = SqliteReactorCheckpoints.open(':memory:');
  const log = new LogProcessor(events, keys.personal, logger);
  await log.start();
  const key = loadLedgerSigningKey({ dataDir });
  const writer = new LedgerWriter({
    store,
    log,
    events,
    leases,
    signer: ledgerNoteSigner('chat-events', key),
    origin: 'chat-events',
    sealIntervalMs: 1000,
    owner: 'bench',
    leaseMs: 30_000,
    logger,
  });
  const head = (await events.headPosition()) ?? fail('empty log');
  const [wall, cpu] = [performance.now(), process.cpuUsage()];
  writer.start();
  for (;;) {
    const problem = writer.problem;
    if (problem !== undefined) fail(problem);
    const running = writer.running;
    if (running !== undefined && (await running.tracker.waitFor(head, 1000))) break;
    if (running === undefined) await new Promise((r) => setTimeout(r, 20));
  }
  await writer.stop(0);
  const seconds = (performance.now() - wall) / 1000;
  const used = process.cpuUsage(cpu);
  const total = Number(head.commit);
  console.log(
    `sealed ${total.toLocaleString('en')} events into a fresh ledger in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en')} events/s, ` +
      `${((used.user + used.system) / 1e6).toFixed(1)} s CPU), ${(await store.checkpoints(0, 100_000)).length} checkpoints`,
  );
  await log.stop();
  await Promise.all([store.close(), leases.close(), events.close(), keys.close()]);
};

/** `npm run ledger -- verify` as its own process on `dataDir`; its answer and its rate line. */
const runVerify = (dataDir: string, args: readonly string[]): Promise<number | null> =>
  new Promise((resolve, reject) => {
    const cli = fileURLToPath(new URL('../src/interfaces/cli/ledger.js', import.meta.url));
    console.log(`$ DATA_DIR=${dataDir} node ${cli} verify ${args.join(' ')}`);
    const child = spawn(process.execPath, [cli, 'verify', ...args], { env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', resolve);
  });

const onLog = async (count: number, verifyArgs: readonly string[]): Promise<void> => {
  const { logPath, keysDir } = await runJsonScript<{ logPath: string; keysDir: string }>('replay-bench.js', [String(count), '--generate-only'], 60 * 60_000);
  const dataDir = cachedDataDir('ledger', count);
  if (!existsSync(join(dataDir, 'ledger.db'))) {
    rmSync(dataDir, { recursive: true, force: true });
    // The log with its data keys, as a DATA_DIR holds them.
    cpSync(keysDir, dataDir, { recursive: true });
    copyFileSync(logPath, join(dataDir, 'events.db'));
    await sealLog(dataDir);
  }
  // Exits at once: the generator's run leaves its (hour-long) timeout timer behind.
  process.exit((await runVerify(dataDir, verifyArgs)) ?? 1);
};

const args = process.argv.slice(2);
if (args[0] === '--log') {
  const count = args[1] !== undefined && /^\d+$/.test(args[1]) ? Number(args[1]) : 1_000_000;
  const rest = args.slice(args[1] !== undefined && /^\d+$/.test(args[1]) ? 2 : 1).filter((a) => a !== '--');
  await onLog(count, rest);
} else {
  inMemory(Number(args[0] ?? 1_000_000));
}
