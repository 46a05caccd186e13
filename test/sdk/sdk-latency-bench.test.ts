import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { AckServer } from './ack-server.js';

const script = join(import.meta.dirname, '..', '..', 'bench', 'sdk-latency.js');

interface Report {
  readonly limits: { readonly rate_per_second: number; readonly burst: number };
  readonly sequential: null | {
    readonly n: number;
    readonly sdk_ms: { readonly count: number; readonly p50: number };
    readonly raw_ms: { readonly count: number; readonly p50: number };
    readonly p50_ratio: number;
    readonly raw_rate_limited: number;
  };
  readonly concurrent: {
    readonly m: number;
    readonly calls_per_second: number;
    readonly calls_per_second_steady: number;
    readonly rate_limited: number;
    readonly rejected: number;
    readonly sockets: number;
  };
  readonly targets: { readonly flood_limit_without_refusal: boolean; readonly sequential_p50_within_2x_raw: boolean | null };
}

// Correctness only: the numbers that matter come from a run against the real service.
describe('bench/sdk-latency.ts, run as its own process against the fake ack server', function () {
  this.timeout(30_000);
  let server: AckServer;
  before(async () => {
    server = await AckServer.start({ limits: { rate_per_second: 200, burst: 20, max_frame_bytes: 65_536 } });
  });
  after(() => server.stop());

  it('measures N sequential calls on the SDK and on a raw socket, and M calls at once, and reports them as JSON', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--url', server.url, '--secret', 'x'.repeat(32), '--n', '12', '--m', '60']);
    const report = JSON.parse(stdout) as Report;
    expect(report.limits).to.include({ rate_per_second: 200, burst: 20 });
    expect(report.sequential).to.include({ n: 12, raw_rate_limited: 0 });
    expect(report.sequential?.sdk_ms.count).to.equal(12);
    expect(report.sequential?.raw_ms.count).to.equal(12);
    expect(report.sequential?.p50_ratio).to.be.a('number').above(0);
    expect(stdout.trim().split('\n'), 'one line, as the bench reads it').to.have.length(1);
    expect(report.concurrent).to.include({ m: 60, rate_limited: 0, rejected: 0, sockets: 1 });
    expect(report.targets.flood_limit_without_refusal).to.equal(true);
    // After the burst of 20, the 40 others go at the limit, never faster.
    expect(report.concurrent.calls_per_second_steady)
      .to.be.above(0)
      .and.at.most(200 * 1.05);
    // What the fake saw: two users, three sockets of the first, every message once, no refusal.
    const sent = server.received.filter((f) => f.action === 'new_message');
    expect(sent).to.have.length(12 + 12 + 60);
    expect(new Set(sent.map((f) => f.data['client_msg_id'])).size).to.equal(84);
    expect(server.stored).to.have.length(84);
    expect(server.rateRefusals).to.deep.equal([]);
    expect(server.connections).to.have.length(3);
  });

  it('--n 0 skips the sequential part; by default M is the burst and --seconds at the rate', async () => {
    const before = server.received.length;
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--url', server.url, '--secret', 'x'.repeat(32), '--n', '0', '--seconds', '0.1']);
    const report = JSON.parse(stdout) as Report;
    expect(report.sequential).to.equal(null);
    expect(report.targets.sequential_p50_within_2x_raw).to.equal(null);
    expect(report.concurrent).to.include({ m: 20 + 20, rate_limited: 0, rejected: 0, sockets: 1 });
    expect(server.received.slice(before).filter((f) => f.action === 'new_message')).to.have.length(40);
  });
});
