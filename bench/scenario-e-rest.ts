/** (e): REST GET /api/chats/{username}/messages latency under the (a) message load, and with none. */
import type { Load, MeasuredPhase } from './load-driver.js';
import type { Options } from './options.js';
import { log } from './progress.js';
import { round } from './stats.js';
import { fmt, type Row } from './table.js';

export interface RestResults {
  /** The same REST reads with no message load, for reference. */
  restIdle?: MeasuredPhase;
  rest?: MeasuredPhase;
}

/** Both (e) phases on a connected load generator, each kept in `out` as soon as it is measured. */
export const restScenario = async (load: Load, o: Options, serverPid: number, name: string, out: RestResults): Promise<void> => {
  out.restIdle = await load.phase({ rate: 0, warmupMs: 500, durationMs: o.restDurationMs / 2, graceMs: 5000, restRate: o.restRate }, serverPid);
  const ri = out.restIdle.rest;
  log(
    `${name} (e) REST ${o.restRate}/s with no message load: p50 ${ri?.latencyMs.p50} p99 ${ri?.latencyMs.p99} max ${ri?.latencyMs.max} ms, errors ${ri?.errors}`,
  );
  out.rest = await load.phase({ rate: o.rate, warmupMs: 1000, durationMs: o.restDurationMs, graceMs: 5000, restRate: o.restRate }, serverPid);
  const r = out.rest.rest;
  log(
    `${name} (e) REST ${o.restRate}/s under ${o.rate} msgs/s: p50 ${r?.latencyMs.p50} p99 ${r?.latencyMs.p99} max ${r?.latencyMs.max} ms, errors ${r?.errors}`,
  );
};

export const restRows = (o: Options, s: RestResults): Row[] => {
  const rr = s.rest?.rest;
  if (s.rest === undefined || rr === undefined) return [];
  const sc = `(e) REST GET messages, ${rr.targetRate} req/s under ${o.rate} msgs/s`;
  const share = (n: number): string => `${round((n / Math.max(1, rr.latencyMs.count)) * 100, 1)}%`;
  const idle = s.restIdle?.rest;
  return [
    ...(['p50', 'p90', 'p99', 'max'] as const).map((k): Row => [sc, `latency ${k} (ms)`, fmt(rr.latencyMs[k]), '', '']),
    [sc, 'answered req/s / errors', `${rr.perSecond} / ${rr.errors}`, '', ''],
    [
      sc,
      'answers slower than 100 ms / 500 ms / 1.9 s',
      `${share(rr.slowerThan['100'])} / ${share(rr.slowerThan['500'])} / ${share(rr.slowerThan['1900'])}`,
      '',
      '',
    ],
    ...(idle === undefined
      ? []
      : [[sc, 'same reads, no message load: p50 / p99 (ms)', `${fmt(idle.latencyMs.p50)} / ${fmt(idle.latencyMs.p99)}`, '', ''] as const]),
    [sc, 'message p99 meanwhile (ms)', fmt(s.rest.latencyMs.p99), '', ''],
  ];
};
