/** Pools phases measured apart into one (f3 measures each variant in short alternating rounds). */
import type { MeasuredPhase } from './load-driver.js';
import { slowerThan, type RestResult } from './load-protocol.js';
import type { ProcSummary } from './proc-stats.js';
import { round, summarise } from './stats.js';

const firstErrorOf = (results: readonly { readonly firstError?: string }[]): { firstError?: string } => {
  const found = results.find((r) => r.firstError !== undefined)?.firstError;
  return found === undefined ? {} : { firstError: found };
};

/** Phases measured apart, as one: their raw samples pooled, counts summed, CPU averaged over their windows. */
export const poolPhases = (phases: readonly MeasuredPhase[]): MeasuredPhase => {
  const first = phases[0];
  if (first === undefined) throw new Error('no phase to pool');
  const sum = (f: (p: MeasuredPhase) => number): number => phases.reduce((n, p) => n + f(p), 0);
  const seconds = sum((p) => p.measuredSeconds);
  const samples = (f: (p: MeasuredPhase) => readonly number[] | undefined): number[] =>
    phases.flatMap((p) => {
      const got = f(p);
      if (got === undefined) throw new Error('phase run without keepSamples');
      return [...got];
    });
  const cpu = (f: (p: MeasuredPhase) => ProcSummary): ProcSummary => ({
    ...f(first),
    cpuPercent: round(sum((p) => f(p).cpuPercent * p.measuredSeconds) / seconds, 1),
    cpuSeconds: round(
      sum((p) => f(p).cpuSeconds),
      2,
    ),
    runQueueWaitPercent: round(sum((p) => f(p).runQueueWaitPercent * p.measuredSeconds) / seconds, 1),
    rssMaxMiB: Math.max(...phases.map((p) => f(p).rssMaxMiB)),
    rssEndMiB: f(phases[phases.length - 1] ?? first).rssEndMiB,
  });
  const restOf = (): RestResult | undefined => {
    const rests = phases.map((p) => p.rest).filter((r): r is RestResult => r !== undefined);
    const r0 = rests[0];
    if (r0 === undefined) return undefined;
    const latencies = samples((p) => p.samples?.restMs);
    return {
      targetRate: r0.targetRate,
      requests: rests.reduce((n, r) => n + r.requests, 0),
      perSecond: round(latencies.length / seconds, 1),
      errors: rests.reduce((n, r) => n + r.errors, 0),
      latencyMs: summarise(latencies),
      slowerThan: slowerThan(latencies),
      ...firstErrorOf(rests),
    };
  };
  const rest = restOf();
  const { samples: _omitted, rest: _rest, firstError: _error, ...base } = first;
  return {
    ...base,
    measuredSeconds: seconds,
    sent: sum((p) => p.sent),
    sentPerSecond: round(sum((p) => p.sent) / seconds, 1),
    deliveredPerSecond: round(sum((p) => p.deliveredPerSecond * p.measuredSeconds) / seconds, 1),
    framesReceivedPerSecond: round(sum((p) => p.framesReceivedPerSecond * p.measuredSeconds) / seconds, 1),
    delivered: sum((p) => p.delivered),
    acked: sum((p) => p.acked),
    lost: sum((p) => p.lost),
    errorFrames: sum((p) => p.errorFrames),
    closes: sum((p) => p.closes),
    sendFailures: sum((p) => p.sendFailures),
    errors: sum((p) => p.errors),
    latencyMs: summarise(samples((p) => p.samples?.latencyMs)),
    ackLatencyMs: summarise(samples((p) => p.samples?.ackMs)),
    generatorMaxLagMs: Math.max(...phases.map((p) => p.generatorMaxLagMs)),
    ...(rest === undefined ? {} : { rest }),
    ...firstErrorOf(phases),
    server: cpu((p) => p.server),
    generator: cpu((p) => p.generator),
  };
};
