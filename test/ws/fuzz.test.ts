import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runFuzz } from '../support/fuzz-run.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

describe('WebSocket fuzzing: no frame can wedge a socket', function () {
  this.timeout(120_000);
  let dir: string;
  let server: ServerProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    server = await startServerProcess({
      DATA_DIR: dir,
      ...(process.env['FUZZ_PROF'] === undefined ? {} : { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=/tmp/prof' }),
      WS_RATE_PER_SECOND: '1000000',
      WS_RATE_BURST: '1000000',
      SQLITE_SYNCHRONOUS: 'NORMAL',
    });
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const frames = Number(process.env['FUZZ_FRAMES'] ?? 50_000);
  it(`${frames.toLocaleString('en')} generated frames: each gets 3100, 1007, 1009 or an error frame; the server stays responsive; no fuzzer is left online`, async () => {
    const report = await runFuzz(server, { frames, users: Number(process.env['FUZZ_USERS'] ?? 16), seed: 20261201 });
    if (process.env['FUZZ_REPORT'] !== undefined) process.stdout.write(`${JSON.stringify(report)}\n`);
    expect(report.mismatches, JSON.stringify(report.byOutcome)).to.deep.equal([]);
    expect(report.frames).to.be.at.least(frames);
    for (const code of ['3100', '1007', '1009', 'error']) expect(report.byOutcome[code] ?? 0, `outcome ${code}`).to.be.greaterThan(0);
    expect(report.slowestControlMs, 'slowest control round trip (ms)').to.be.lessThan(2000);
    expect(report.leftOnline).to.deep.equal([]);
  });
});
