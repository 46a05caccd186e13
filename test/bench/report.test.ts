import { expect } from 'chai';
import type { MeasuredPhase } from '../../bench/load-driver.js';
import type { LongLogVariant } from '../../bench/long-log-rig.js';
import type { PresenceStormResult } from '../../bench/presence-storm.js';
import { longLogGoal, longLogRows } from '../../bench/scenario-f3-long-log.js';
import { stormGoal } from '../../bench/scenario-g-storm.js';
import { sdkGoal, sdkRows, type SdkLimitRun } from '../../bench/scenario-h-sdk.js';
import { comparedRow, renderTables } from '../../bench/table.js';
import { parseOptions, spec } from '../../bench/options.js';
import { parseCli } from '../../src/interfaces/cli/cli-args.js';

const latency = (p99: number) => ({ count: 100, p50: p99 / 4, p90: p99 / 2, p99, max: p99 * 2, mean: p99 / 3 });
const proc = { cpuPercent: 50, cpuSeconds: 1, runQueueWaitPercent: 5, rssStartMiB: 100, rssEndMiB: 110, rssMaxMiB: 120 };
const phase = (p99: number, restP99: number): MeasuredPhase => ({
  targetRate: 1000,
  measuredSeconds: 2,
  sent: 2000,
  sentPerSecond: 1000,
  deliveredPerSecond: 1000,
  framesReceivedPerSecond: 2000,
  delivered: 2000,
  acked: 2000,
  lost: 0,
  errorFrames: 0,
  closes: 0,
  sendFailures: 0,
  errors: 0,
  latencyMs: latency(p99),
  ackLatencyMs: latency(p99),
  generatorMaxLagMs: 1,
  rest: { targetRate: 200, requests: 400, perSecond: 200, errors: 0, latencyMs: latency(restP99), slowerThan: { '100': 0, '500': 0, '1000': 0, '1900': 0 } },
  server: proc,
  generator: proc,
});
const variant = (events: number, appends: number, p99: number): LongLogVariant => ({
  events,
  readyAfterStartSeconds: 1,
  latency: phase(p99, 20),
  rest: phase(p99, 20),
  rounds: { newMessageP99Ms: [p99, p99], restP99Ms: [20, 20] },
  append: { appends, p50Ms: 0.5, p99Ms: 2, maxMs: 5 },
});
const storm = (users: number, framesPerUser: number, scope: 'all' | 'contacts' = 'contacts'): PresenceStormResult => ({
  users,
  scope,
  mode: 'batched',
  peers: 5,
  opened: users,
  framesDelivered: users * framesPerUser,
  framesByAction: {},
  bytesDelivered: 0,
  serverCpuSeconds: users / 1000,
  readySeconds: 1,
  settledSeconds: 2,
  checked: 20,
  correct: 20,
});

describe('bench report', () => {
  const parsed = parseCli(spec, []);
  if (parsed === 'help') throw new Error('unexpected help');
  const o = parseOptions(parsed);

  it('(f3) names the number of appends its probe made and compares the long log with the empty one', () => {
    const rows = longLogRows(o, { empty: variant(0, 1000, 10), long: variant(100_000, 1000, 30) });
    expect(rows[0]?.[0]).to.equal('(f3) 100,000-event log (chat-events column) vs an empty log (baseline column)');
    expect(rows[0]?.[1]).to.equal('append p50 / p99 (ms), 1,000 sequential');
    const p99 = rows.find((r) => r[1] === 'new_message latency p99 at 1000 msgs/s (ms)');
    expect(p99).to.deep.equal(comparedRow(p99?.[0] ?? '', 'new_message latency p99 at 1000 msgs/s (ms)', 30, 10));
    expect(p99?.[4]).to.equal('3×');
    expect(longLogGoal({ empty: variant(0, 5000, 10), long: variant(10_000_000, 5000, 30) })?.met).to.equal(false);
    expect(longLogGoal({ empty: variant(0, 5000, 10), long: variant(10_000_000, 5000, 12) })?.met).to.equal(true);
  });

  it('(g) judges growth across sizes, and not at all with one size', () => {
    expect(stormGoal([storm(1000, 3), storm(5000, 3.5)])?.met).to.equal(true);
    expect(stormGoal([storm(1000, 3), storm(5000, 6)])?.met).to.equal(false);
    const one = stormGoal([storm(200, 3), storm(200, 50, 'all')]);
    expect(one?.met).to.equal(undefined);
    expect(one?.measured).to.equal('one size per configuration (200 users): not judged');
  });

  it('(h) judges the SDK against the raw socket and each limit sustained without a refused call', () => {
    const run = (label: 'default' | 'lifted', rate: number, o: { sdkP50: number; rawP50: number; steady: number | null; refused?: number }): SdkLimitRun => ({
      label,
      report: {
        url: 'http://127.0.0.1:1',
        limits: { rate_per_second: rate, burst: rate * 2, max_frame_bytes: 65536 },
        sequential: {
          n: 30,
          sdk_ms: latency(o.sdkP50 * 4),
          raw_ms: latency(o.rawP50 * 4),
          p50_ratio: o.sdkP50 / o.rawP50,
          raw_rate_limited: 0,
          sdk_rate_limited: 0,
        },
        concurrent: {
          m: rate * 7,
          ms: 7000,
          calls_per_second: rate,
          calls_per_second_steady: o.steady,
          rate_limited: o.refused ?? 0,
          rejected: 0,
          sockets: 1,
        },
        targets: { sequential_p50_within_2x_raw: o.sdkP50 <= 2 * o.rawP50, flood_limit_without_refusal: (o.refused ?? 0) === 0, steady_share_of_limit: null },
      },
    });
    const good = [run('default', 20, { sdkP50: 2, rawP50: 1.5, steady: 20 }), run('lifted', 1000, { sdkP50: 1, rawP50: 1, steady: 990 })];
    expect(sdkGoal(good)?.met).to.equal(true);
    expect(sdkGoal([good[0] as SdkLimitRun, run('lifted', 1000, { sdkP50: 1, rawP50: 1, steady: 800 })])?.verdict).to.equal(
      'yes (latency); yes (20/s), **no** (1000/s)',
    );
    expect(sdkGoal([run('default', 20, { sdkP50: 5, rawP50: 2, steady: 20 })])?.met, 'p50 over 2× the raw socket’s').to.equal(false);
    expect(sdkGoal([run('default', 20, { sdkP50: 1, rawP50: 1, steady: 20, refused: 1 })])?.met, 'a refused call').to.equal(false);
    expect(sdkGoal([run('lifted', 1000, { sdkP50: 1, rawP50: 1, steady: null })])?.met, 'no steady pace measured').to.equal(false);
    expect(sdkGoal([])).to.equal(undefined);
    const rows = sdkRows(good);
    expect(rows.map((r) => r[1])).to.include('SDK p50 / raw p50');
    expect(rows.find((r) => r[0].includes('lifted') && r[1].endsWith('calls/s overall / steady'))?.[2]).to.equal('1000 / 990');
  });

  it('renders the rows, then each goal with its verdict', () => {
    const text = renderTables(
      [['(x) s', 'metric', '1', '2', '0.5×']],
      [
        { id: 'x', goal: 'g1', measured: 'm1', met: true },
        { id: 'y', goal: 'g2', measured: 'm2', met: false },
        { id: 'z', goal: 'g3', measured: 'm3', met: undefined },
        { id: 'w', goal: 'g4', measured: 'm4', met: false, verdict: 'partly' },
      ],
    );
    expect(text.split('\n')).to.deep.equal([
      '| scenario | metric | chat-events | baseline relay | ratio |',
      '|---|---|---:|---:|---:|',
      '| (x) s | metric | 1 | 2 | 0.5× |',
      '',
      '| goal | target | measured | met |',
      '|---|---|---|---|',
      '| (x) | g1 | m1 | yes |',
      '| (y) | g2 | m2 | **no** |',
      '| (z) | g3 | m3 | n/a |',
      '| (w) | g4 | m4 | partly |',
      '',
    ]);
  });
});
