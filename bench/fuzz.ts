/**
 * `npm run bench:fuzz [-- --frames N] [-- --users N] [-- --seed N]`: the socket fuzz of the test
 * suite at a larger size (default 500,000 frames), against a server process; prints the report as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from '../test/support/fuzz-run.js';
import { startServerProcess } from '../test/support/server-process.js';

const USAGE = 'usage: npm run bench:fuzz -- [--frames N] [--users N] [--seed N]';

const main = async (): Promise<number> => {
  let values;
  try {
    ({ values } = parseArgs({ options: { frames: { type: 'string' }, users: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const frames = Number(values.frames ?? 500_000);
  const users = Number(values.users ?? 16);
  const seed = Number(values.seed ?? Date.now() % 1e9);
  if (![frames, users, seed].every((n) => Number.isInteger(n) && n > 0)) {
    process.stderr.write(`--frames, --users and --seed take positive integers\n${USAGE}\n`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-fuzz-'));
  const server = await startServerProcess({ DATA_DIR: dir, WS_RATE_PER_SECOND: '1000000', WS_RATE_BURST: '1000000', SQLITE_SYNCHRONOUS: 'NORMAL' });
  try {
    const report = await runFuzz(server, { frames, users, seed });
    process.stdout.write(`${JSON.stringify({ seed, users, ...report, framesPerSecond: Math.round((report.frames / report.ms) * 1000) }, null, 2)}\n`);
    return report.mismatches.length === 0 && report.leftOnline.length === 0 ? 0 : 1;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:fuzz failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
