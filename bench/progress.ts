/** The orchestrator's progress lines on stdout. */
import type { PhaseResult } from './load-protocol.js';
import type { ProcSummary } from './proc-stats.js';

export const log = (msg: string): void => {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

export const describePhase = (p: PhaseResult & { server?: ProcSummary }): string =>
  `sent ${p.sentPerSecond}/s delivered ${p.deliveredPerSecond}/s p50 ${p.latencyMs.p50} p99 ${p.latencyMs.p99} max ${p.latencyMs.max} ms, errors ${p.errors}` +
  (p.server === undefined ? '' : `, server CPU ${p.server.cpuPercent}% (run-queue wait ${p.server.runQueueWaitPercent}%) RSS ${p.server.rssEndMiB} MiB`) +
  (p.firstError === undefined ? '' : ` (first error: ${p.firstError.slice(0, 160)})`);

/** An error's message, whatever was thrown. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
