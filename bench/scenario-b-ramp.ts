/** (b): the maximum sustained message rate, found by a geometric ramp. */
import type { Load, MeasuredPhase } from './load-driver.js';
import type { Options } from './options.js';
import { describePhase, log } from './progress.js';
import { comparedRow, fmt, ratio, type Goal, type Row } from './table.js';

export interface RampStep {
  readonly phase: MeasuredPhase;
  readonly passed: boolean;
  readonly why?: string;
}

export interface RampResult {
  readonly steps: readonly RampStep[];
  /** Delivered messages/s of the best passing step (for the service: stored, then delivered). */
  readonly maxSustainedPerSecond: number;
  readonly p99AtMaxMs: number;
  readonly stoppedBecause: string;
}

/**
 * Geometric ramp: up by `rampFactor` while a step passes (p99 ≤ 50 ms, no errors, the generator
 * kept its rate); if the first step fails, down until one passes. A failing step is re-run once,
 * so one hiccup of a shared machine does not end the ramp.
 */
export const rampScenario = async (load: Load, o: Options, serverPid: number, name: string): Promise<RampResult> => {
  const steps: RampStep[] = [];
  let best: MeasuredPhase | undefined;
  let failedAt = Infinity;
  let stoppedBecause = `reached the last step (${o.rampSteps})`;
  const judge = (phase: MeasuredPhase): string | undefined =>
    phase.errors > 0
      ? `${phase.errors} errors`
      : phase.latencyMs.p99 > 50
        ? `p99 ${phase.latencyMs.p99} ms > 50 ms`
        : phase.sentPerSecond < 0.95 * phase.targetRate
          ? `the generator only sent ${phase.sentPerSecond}/s`
          : undefined;
  const attempt = async (rate: number): Promise<string | undefined> => {
    let why: string | undefined;
    for (let tries = 0; tries < 2 && steps.length < o.rampMaxPhases; tries++) {
      const phase = await load.phase({ rate, warmupMs: o.rampWarmupMs, durationMs: o.rampDurationMs, graceMs: 3000 }, serverPid);
      why = judge(phase);
      steps.push({ phase, passed: why === undefined, ...(why === undefined ? {} : { why }) });
      log(`${name} (b) ramp ${rate}/s: ${describePhase(phase)}${why === undefined ? '' : ` -> ${tries === 0 ? 'retrying once' : 'failed'}: ${why}`}`);
      if (why === undefined) {
        if (best === undefined || phase.deliveredPerSecond > best.deliveredPerSecond) best = phase;
        return undefined;
      }
    }
    return why;
  };
  let rate = o.rampStart;
  for (let i = 0; i < o.rampSteps && steps.length < o.rampMaxPhases; i++) {
    const r = Math.round(rate);
    const why = await attempt(r);
    if (why === undefined) {
      rate *= o.rampFactor;
      if (Math.round(rate) >= failedAt) {
        stoppedBecause = `at ${failedAt}/s: failed`;
        break;
      }
      continue;
    }
    failedAt = Math.min(failedAt, r);
    stoppedBecause = `at ${r}/s: ${why}`;
    if (best !== undefined || rate / o.rampFactor < 50) break;
    rate /= o.rampFactor;
  }
  return { steps, maxSustainedPerSecond: best?.deliveredPerSecond ?? 0, p99AtMaxMs: best?.latencyMs.p99 ?? 0, stoppedBecause };
};

export const rampRows = (s: RampResult | undefined, b: RampResult | undefined): Row[] => {
  if (s === undefined && b === undefined) return [];
  const sc = '(b) ramp until p99 > 50 ms or errors';
  return [
    comparedRow(sc, 'max sustained msgs/s (delivered)', s?.maxSustainedPerSecond, b?.maxSustainedPerSecond, 0),
    comparedRow(sc, 'p99 at that rate (ms)', s?.p99AtMaxMs, b?.p99AtMaxMs),
    [sc, 'stopped', s?.stoppedBecause ?? '–', b?.stoppedBecause ?? '–', ''],
  ];
};

export const rampGoal = (s: RampResult | undefined, b: RampResult | undefined): Goal | undefined => {
  if (s === undefined) return undefined;
  const base = b?.maxSustainedPerSecond;
  return {
    id: 'b',
    goal: 'sustained durable msgs/s ≥ 50% of the baseline relay',
    measured: `${s.maxSustainedPerSecond} msgs/s; baseline ${fmt(base, 0)} (${ratio(s.maxSustainedPerSecond, base)})`,
    met: base === undefined || base === 0 ? undefined : s.maxSustainedPerSecond >= 0.5 * base,
  };
};
