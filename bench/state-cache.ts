/**
 * `npm run build && node dist/bench/state-cache.js [entries]`
 *
 * Cost of a read of the aggregates' state cache (application/aggregates/state-cache.ts), in ns per
 * read: the median of 7 runs of 200,000 reads, 80% of them on a fifth of the entries; once with
 * room for every entry (a hit always, as under (a)'s load) and once with room for half of the keys
 * read (each miss records the state, which evicts). Prints the hit rate of each, so that a change of
 * policy shows what it costs in misses as well as in time.
 */
import { StateCache } from '../src/application/aggregates/state-cache.js';
import { median } from './stats.js';

const entries = Number(process.argv[2] ?? 5000);
const READS = 200_000;
const RUNS = 7;
const SIZE = 1000;
const keys = Array.from({ length: entries * 2 }, (_, i) => `chat-0193f1c2-7a6b-7cde-8f01-${String(i).padStart(12, '0')}`);

/** A fixed pseudo-random sequence of key indexes, so that every run reads the same keys. */
const sequence = (spread: number): number[] => {
  let seed = 42;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: READS }, () => Math.floor(next() < 0.8 ? next() * entries * 0.2 : next() * spread));
};

const run = (budgetEntries: number, reads: readonly number[]): { ns: number; hitRate: number } => {
  const view = new StateCache(budgetEntries * SIZE).view<{ readonly k: number }>();
  for (let i = 0; i < entries; i++) view.set(keys[i] ?? '', { k: i }, SIZE);
  let hits = 0;
  const started = process.hrtime.bigint();
  for (const k of reads) {
    const key = keys[k] ?? '';
    if (view.get(key) === undefined) view.set(key, { k }, SIZE);
    else hits += 1;
  }
  return { ns: Number(process.hrtime.bigint() - started) / reads.length, hitRate: hits / reads.length };
};

const report = (label: string, budgetEntries: number, spread: number): void => {
  const reads = sequence(spread);
  run(budgetEntries, reads);
  const results = Array.from({ length: RUNS }, () => run(budgetEntries, reads));
  const hitRate = results[0]?.hitRate ?? NaN;
  process.stdout.write(`  ${label}: ${median(results.map((r) => r.ns)).toFixed(0)} ns/read, hit rate ${(hitRate * 100).toFixed(2)}%\n`);
};

process.stdout.write(
  `state cache, ${entries.toLocaleString('en-US')} entries, median of ${RUNS} × ${READS.toLocaleString('en-US')} reads, Node ${process.version}:\n`,
);
report('room for every entry', entries * 10, entries);
report('room for half of the keys read', entries, entries * 2);
