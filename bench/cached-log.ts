import { join } from 'node:path';
import { BENCH_DIR } from './processes.js';

/**
 * What the store writes, in the names of the logs cached in .bench/: changed whenever stored
 * events change form, so a log cached before is regenerated rather than measured as today's.
 * `sealed`: personal data sealed (erasure); `canonical`: data and metadata stored as RFC 8785 text.
 */
const LOG_FORMAT = 'sealed-canonical';

/** The generated log of `events` events (replay-bench.ts) and the directory of the keys its personal data is sealed with. */
export const cachedLog = (events: number): { readonly logPath: string; readonly keysDir: string } => ({
  logPath: join(BENCH_DIR, `replay-log-${LOG_FORMAT}-${events}.db`),
  keysDir: join(BENCH_DIR, `replay-log-${LOG_FORMAT}-${events}.keys`),
});

/** A data directory made from that log, for `purpose` (a ledger sealed on it, read models caught up on it). */
export const cachedDataDir = (purpose: string, events: number): string => join(BENCH_DIR, `${purpose}-${LOG_FORMAT}-${events}`);
