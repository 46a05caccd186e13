/**
 * Where the memory of idle connections goes as their number grows (not run by the tests):
 *
 *   npm run build && node dist/bench/idle-memory-steps.js [users] [step] [steps]
 *
 * A fresh service, the (c) warm-up socket, then `steps` steps of `step` sockets (default 3 × 5,000)
 * of `users` users (default 1,000), as (c) opens them. After each, a full GC of every thread,
 * then: RSS, the main thread's JS heap, the worker threads' heaps, and RSS by kind of mapping
 * (V8's 256 KiB pages of every thread's heap, the main thread's malloc heap, other anonymous
 * memory such as worker threads' malloc arenas, files). The growth between steps is what one
 * more connection costs; what the first step adds beyond it was paid once (BENCHMARKS.md,
 * "Levers of 2026-12-07, fifth sitting").
 */
import { readFileSync } from 'node:fs';
import { collectGarbageAndMeasure } from './inspector.js';
import { Load } from './load-driver.js';
import { cleanUpOnExit } from './processes.js';
import { warmUp } from './scenario-c-idle.js';
import { startServer } from './servers.js';
import { sleep } from './stats.js';

const MiB = 1024 * 1024;

/** RSS in MiB by kind of mapping, from /proc/<pid>/smaps. */
const rssByMapping = (pid: number): Record<string, number> => {
  const out: Record<string, number> = {};
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+)\s+\S+\s+\S+\s+\S+\s+\S+\s*(.*)$/.exec(line);
    if (header !== null) {
      const [, from = '0', to = '0', name = ''] = header;
      const kib = (parseInt(to, 16) - parseInt(from, 16)) / 1024;
      kind = name === '[heap]' ? 'malloc (main)' : name !== '' ? 'files' : kib === 256 ? 'V8 pages' : 'other anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss !== null) out[kind] = (out[kind] ?? 0) + Number(rss[1]) / 1024;
  }
  return out;
};

const [users, step, steps] = [Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 5000), Number(process.argv[4] ?? 3)];
cleanUpOnExit();
const server = await startServer('service', 'idle-memory-steps', { inspect: true });
const inspector = server.inspector;
if (inspector === undefined) throw new Error('no inspector');
const load = await Load.start('idle-memory-steps');
await load.init(server.target, 'service');
await warmUp(server.target);
await sleep(1000);
const rows: string[][] = [];
const measure = async (sockets: number): Promise<void> => {
  const gc = await collectGarbageAndMeasure(inspector);
  const byMapping = rssByMapping(server.pid);
  const mib = (n: number): string => n.toFixed(1);
  rows.push([
    String(sockets),
    mib(gc.everyThread.rss / MiB),
    mib(gc.everyThread.heapUsed / MiB),
    `${mib(gc.workerHeapUsed.after / MiB)} (${gc.workerThreads})`,
    ...['V8 pages', 'malloc (main)', 'other anonymous', 'files'].map((k) => mib(byMapping[k] ?? 0)),
  ]);
};
await measure(0);
for (let i = 1; i <= steps; i++) {
  await load.connect((i - 1) * step, i * step, 250, 300_000, users);
  await sleep(3000);
  await measure(i * step);
}
await load.close();
await server.stop();
const head = ['sockets', 'RSS', 'JS heap (main)', 'worker heaps (threads)', 'V8 pages', 'malloc (main)', 'other anonymous', 'files'];
process.stdout.write(`MiB after a full GC of every thread, ${users} users:\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
process.exit(0);
