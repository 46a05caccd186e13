/** (a): message latency at a fixed moderate rate, against the service and the baseline relay. */
import type { Load, MeasuredPhase } from './load-driver.js';
import type { Options } from './options.js';
import { describePhase, log } from './progress.js';
import { comparedRow, fmt, ratio, type Goal, type Row } from './table.js';

/** One (a) phase on a connected load generator. */
export const latencyScenario = async (load: Load, o: Options, serverPid: number, name: string): Promise<MeasuredPhase> => {
  const phase = await load.phase({ rate: o.rate, warmupMs: o.warmupMs, durationMs: o.durationMs, graceMs: 5000 }, serverPid);
  log(`${name} (a) ${o.rate}/s: ${describePhase(phase)}`);
  return phase;
};

export const latencyRows = (o: Options, l: MeasuredPhase | undefined, bl: MeasuredPhase | undefined): Row[] => {
  if (l === undefined && bl === undefined) return [];
  const sc = `(a) ${o.rate} msgs/s, ${o.users} users, ${o.durationMs / 1000} s`;
  return [
    ...(['p50', 'p90', 'p99', 'max'] as const).map((k) => comparedRow(sc, `latency ${k} (ms)`, l?.latencyMs[k], bl?.latencyMs[k])),
    comparedRow(sc, 'delivered frames/s', l?.deliveredPerSecond, bl?.deliveredPerSecond, 0),
    comparedRow(sc, 'frames received by all sockets /s', l?.framesReceivedPerSecond, bl?.framesReceivedPerSecond, 0),
    [sc, 'errors (lost + error frames + closes)', fmt(l?.errors, 0), fmt(bl?.errors, 0), ''],
    comparedRow(sc, 'server CPU (% of one core)', l?.server.cpuPercent, bl?.server.cpuPercent, 1),
    [sc, 'server main thread waiting for a CPU (%)', fmt(l?.server.runQueueWaitPercent, 1), fmt(bl?.server.runQueueWaitPercent, 1), ''],
    comparedRow(sc, 'server RSS (MiB, end)', l?.server.rssEndMiB, bl?.server.rssEndMiB, 1),
    [sc, 'generator CPU (%)', fmt(l?.generator.cpuPercent, 1), fmt(bl?.generator.cpuPercent, 1), ''],
  ];
};

export const latencyGoal = (l: MeasuredPhase | undefined, bl: MeasuredPhase | undefined): Goal | undefined => {
  if (l === undefined) return undefined;
  const p99 = l.latencyMs.p99;
  const base = bl?.latencyMs.p99;
  return {
    id: 'a',
    goal: 'p99 ≤ 10 ms and ≤ 3× baseline p99',
    measured: `p99 ${p99} ms; baseline ${fmt(base)} ms (${ratio(p99, base)})`,
    met: p99 <= 10 && (base === undefined ? undefined : p99 <= 3 * base) !== false && l.errors === 0,
  };
};
