/**
 * Embedded append throughput of SqliteEventStore:
 *  (a) sequential single-event appends to distinct streams (one commit per append),
 *  (b) 1000 appends in flight (group commit),
 * for synchronous=FULL and NORMAL. `node dist/bench/append.js [secondsPerCase]`;
 * BENCH_DIR chooses the directory (default: the OS temp dir).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../src/application/ports/event-store.js';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import type { Synchronous } from '../src/infrastructure/eventstore/sqlite/schema.js';

const seconds = Number(process.argv[2] ?? 3);
const IN_FLIGHT = 1000;

interface CaseResult {
  readonly synchronous: Synchronous;
  readonly mode: 'sequential' | 'concurrent';
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly transactions: number;
  readonly appendsPerTransaction: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A MessageSent-like event (~300 bytes stored). */
const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'MessageSent',
  data: { chatId: randomUUID(), messageId: randomUUID(), seq: n, senderId: randomUUID(), content: 'hello there, how are you doing today?' },
  metadata: { userId: randomUUID(), correlationId: randomUUID(), timestamp: new Date().toISOString(), schemaVersion: 1 },
});

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

const runCase = async (synchronous: Synchronous, mode: CaseResult['mode']): Promise<CaseResult> => {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-append-'));
  const store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous });
  const latencies: number[] = [];
  let n = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const i = n++;
      const t = performance.now();
      const r = await store.append(`chat-${i}`, [event(i)], 'no_stream');
      if (r._tag !== 'Appended') throw new Error(`unexpected ${r._tag}`);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: mode === 'sequential' ? 1 : IN_FLIGHT }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const { transactions, appends } = store.stats;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    synchronous,
    mode,
    events: latencies.length,
    seconds: round(elapsed, 2),
    eventsPerSecond: Math.round(latencies.length / elapsed),
    transactions,
    appendsPerTransaction: round(appends / Math.max(1, transactions)),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
  };
};

const results: CaseResult[] = [];
for (const synchronous of ['FULL', 'NORMAL'] as const) {
  for (const mode of ['sequential', 'concurrent'] as const) {
    const r = await runCase(synchronous, mode);
    results.push(r);
    console.log(
      `${r.synchronous.padEnd(6)} ${r.mode.padEnd(10)} ${String(r.eventsPerSecond).padStart(8)} events/s  ` +
        `(${r.events} events in ${r.seconds} s, ${r.transactions} tx, ${r.appendsPerTransaction} appends/tx, ` +
        `latency p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms)`,
    );
  }
}
console.log(JSON.stringify({ bench: 'sqlite-append', inFlight: IN_FLIGHT, node: process.version, results }));
