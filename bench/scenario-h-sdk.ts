/**
 * (h): the SDK as a client process of its own (sdk-latency.ts) against the service: sequential
 * `sendMessage` against the same round trip on a raw socket, and calls at once on one connection,
 * at the default flood limit (20/s, bursts of 40) and with the limit lifted (1,000/s, bursts of
 * 2,000). Each limit is a service of its own; the client runs while nothing else does.
 */
import type { Options } from './options.js';
import { runJsonScript } from './processes.js';
import type { SdkLatencyReport } from './sdk-latency.js';
import { startService } from './servers.js';
import { fmt, type Goal, type Row } from './table.js';

export interface SdkLimitRun {
  readonly label: 'default' | 'lifted';
  readonly report: SdkLatencyReport;
}

export type SdkResult = readonly SdkLimitRun[];

const LIMITS = [
  // The server's defaults, as a real deployment has them: the sequential run stays within one burst per socket.
  { label: 'default', env: { WS_RATE_PER_SECOND: '20', WS_RATE_BURST: '40' }, sequentialMax: 30 },
  { label: 'lifted', env: { WS_RATE_PER_SECOND: '1000', WS_RATE_BURST: '2000' }, sequentialMax: Number.MAX_SAFE_INTEGER },
] as const;

export const sdkScenario = async (o: Options): Promise<SdkResult> => {
  // Both services start at once (an idle one costs next to nothing); the client runs against one at a time.
  const servers = await Promise.allSettled(LIMITS.map((limit) => startService(`sdk-${limit.label}`, { env: limit.env })));
  try {
    const runs: SdkLimitRun[] = [];
    for (const [i, limit] of LIMITS.entries()) {
      const started = servers[i];
      if (started?.status !== 'fulfilled') throw started?.reason ?? new Error('no service');
      const target = started.value.target;
      if (target.kind !== 'service') throw new Error('not a service target');
      const n = Math.min(o.sdkSequential, limit.sequentialMax);
      const m = Math.min(o.sdkMaxCalls, callsOf(limit.env, o.sdkSeconds));
      const args = ['--url', target.httpUrl, '--secret', target.jwtSecret, '--n', String(n), '--m', String(m)];
      runs.push({ label: limit.label, report: await runJsonScript<SdkLatencyReport>('sdk-latency.js', args, 10 * 60_000) });
    }
    return runs;
  } finally {
    await Promise.all(servers.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  }
};

/** The burst and `seconds` at the rate: what sdk-latency.ts fires at once by default. */
const callsOf = (env: { readonly WS_RATE_PER_SECOND: string; readonly WS_RATE_BURST: string }, seconds: number): number =>
  Number(env.WS_RATE_BURST) + Math.round(seconds * Number(env.WS_RATE_PER_SECOND));

/** One line for the progress log. */
export const sdkOutcome = (r: SdkResult): string =>
  r
    .map(({ label, report: { limits, sequential: s, concurrent: c } }) =>
      [
        `${label} ${limits.rate_per_second}/s:`,
        s === null ? '' : `sequential p50 SDK ${s.sdk_ms.p50} vs raw ${s.raw_ms.p50} ms (p99 ${s.sdk_ms.p99} vs ${s.raw_ms.p99}),`,
        `${c.m} calls at once ${c.calls_per_second}/s (steady ${c.calls_per_second_steady ?? '–'}/s), refused ${c.rate_limited}, rejected ${c.rejected}`,
      ]
        .filter((x) => x !== '')
        .join(' '),
    )
    .join('; ');

export const sdkRows = (r: SdkResult | undefined): Row[] =>
  (r ?? []).flatMap(({ label, report: { limits, sequential: s, concurrent: c } }): Row[] => {
    const sc = `(h) SDK client process, ${label} flood limit (${limits.rate_per_second}/s, bursts of ${limits.burst})`;
    return [
      ...(s === null
        ? []
        : ([
            [sc, `${s.n} sequential sendMessage on the SDK: p50 / p99 (ms)`, `${fmt(s.sdk_ms.p50)} / ${fmt(s.sdk_ms.p99)}`, '', ''],
            [sc, 'the same round trips on a raw socket (ref → ack), interleaved: p50 / p99 (ms)', `${fmt(s.raw_ms.p50)} / ${fmt(s.raw_ms.p99)}`, '', ''],
            [sc, 'SDK p50 / raw p50', s.p50_ratio === null ? '–' : `${s.p50_ratio}×`, '', ''],
            // The server takes a socket's frames one at a time: its round trip bounds one connection's pace.
            [sc, 'one socket’s bound from the raw round trip, 1 / raw p50 (calls/s)', fmt(s.raw_ms.p50 > 0 ? 1000 / s.raw_ms.p50 : undefined, 0), '', ''],
          ] satisfies Row[])),
      [
        sc,
        `${c.m} calls at once on one connection: calls/s overall / steady`,
        `${fmt(c.calls_per_second)} / ${fmt(c.calls_per_second_steady ?? undefined)}`,
        '',
        '',
      ],
      [sc, 'refused (rate_limited) / rejected calls / sockets', `${c.rate_limited} / ${c.rejected} / ${c.sockets}`, '', ''],
    ];
  });

/** Sequential p50 within 2× the raw socket's; each limit sustained (steady ≥ 95% of it) with no refused call. */
export const sdkGoal = (r: SdkResult | undefined): Goal | undefined => {
  if (r === undefined || r.length === 0) return undefined;
  const sequential = r.flatMap(({ report }) => (report.sequential === null ? [] : [report.sequential]));
  const ratioMet = sequential.every((s) => s.sdk_ms.p50 <= 2 * s.raw_ms.p50);
  const sustained = r.map(({ report: { limits, concurrent: c } }) => ({
    rate: limits.rate_per_second,
    met: c.rate_limited === 0 && c.rejected === 0 && c.sockets === 1 && (c.calls_per_second_steady ?? 0) >= 0.95 * limits.rate_per_second,
    c,
  }));
  return {
    id: 'h',
    goal: 'SDK sequential p50 ≤ 2× the raw socket’s; one connection sustains 20 and 1,000 calls/s with no refused call',
    measured: [
      ...sequential.map((s) => `p50 ${s.sdk_ms.p50} vs ${s.raw_ms.p50} ms (${s.p50_ratio ?? '–'}×)`),
      ...sustained.map(({ rate, c }) => `${rate}/s: steady ${c.calls_per_second_steady ?? '–'}/s, ${c.rate_limited} refused, ${c.rejected} rejected`),
    ].join('; '),
    met: ratioMet && sustained.every((s) => s.met),
    verdict: `${ratioMet ? 'yes' : '**no**'} (latency); ${sustained.map((s) => `${s.met ? 'yes' : '**no**'} (${s.rate}/s)`).join(', ')}`,
  };
};
