/**
 * Append latency on an existing embedded log: `node dist/bench/append-probe.js <events.db> [appends]`.
 * Sequential single-event appends (one commit each, synchronous=FULL as the service runs), half to
 * new streams and half extending a stream, so the figure includes the log's indexes at its size.
 * Prints one JSON line: { appends, p50Ms, p99Ms, maxMs }.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../src/application/ports/event-store.js';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { summarise } from './stats.js';

const [path, countArg] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: append-probe <events.db> [appends]');
const count = Number(countArg ?? 5000);

const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'ActivityRecorded',
  data: { userId: `probe-${n}`, at: new Date().toISOString() },
  metadata: { userId: `probe-${n}`, correlationId: randomUUID(), timestamp: new Date().toISOString(), schemaVersion: 1 },
});

const store = SqliteEventStore.open({ path, synchronous: 'FULL' });
const latencies: number[] = [];
const probe = `probe-${randomUUID()}`;
for (let i = 0; i < count; i++) {
  const extending = i % 2 === 1;
  const t = performance.now();
  const r = await store.append(extending ? probe : `probe-${randomUUID()}`, [event(i)], extending ? (i === 1 ? 'no_stream' : (i - 3) / 2) : 'no_stream');
  if (r._tag !== 'Appended') throw new Error(`append ${i}: ${r._tag}`);
  latencies.push(performance.now() - t);
}
await store.close();
const s = summarise(latencies);
process.stdout.write(`${JSON.stringify({ appends: s.count, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max })}\n`);
