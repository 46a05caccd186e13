import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { TestClient } from '../support/test-client.js';
import { generateFrame, prng, type FuzzFrame } from '../support/fuzz-frames.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

export interface FuzzReport {
  readonly frames: number;
  readonly byOutcome: Readonly<Record<string, number>>;
  readonly mismatches: readonly string[];
  readonly reconnects: number;
  readonly ms: number;
  readonly slowestControlMs: number;
  readonly leftOnline: readonly string[];
}

/** What one frame got: an `error` frame (socket kept) or the close code. */
const outcomeOf = async (client: TestClient, frame: FuzzFrame): Promise<number | string> => {
  client.sendTextBytes(frame.payload);
  const closed = client.closed.then((c) => c.code);
  const error = client.next((f) => f.action === 'error', 5000).then((f) => (f.data['code'] === 'rate_limited' ? 'rate_limited' : 'error'));
  return Promise.race([closed, error.catch(() => closed)]);
};

const api = async (server: ServerProcess, username: string, method: string, path: string): Promise<unknown> => {
  const res = await fetch(server.base + path, { method, headers: { authorization: `Bearer ${server.token(username)}` } });
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status}`);
  return res.json();
};

/**
 * `users` fuzzing users in parallel against a server process (its own core), `frames` generated
 * frames in all, each sent alone and its outcome checked; a socket closed by a frame is replaced.
 * A control user's round trips measure responsiveness, and its chat list tells who is online.
 */
export const runFuzz = async (server: ServerProcess, o: { readonly frames: number; readonly users: number; readonly seed: number }): Promise<FuzzReport> => {
  const tag = randomUUID().slice(0, 6);
  const control = `control_${tag}`;
  const names = Array.from({ length: o.users }, (_, i) => `fuzz_${tag}_${i}`);
  for (const name of names) {
    await api(server, name, 'GET', '/api/chats/');
    await api(server, control, 'PUT', `/api/chats/${name}`);
  }
  const connect = (name: string) => TestClient.connect(`${server.wsUrl}?token=${server.token(name)}`);
  const watch = await connect(control);
  let fuzzing = true;
  let slowestControlMs = 0;
  const probing = (async () => {
    while (fuzzing) {
      const t0 = Date.now();
      const message = randomUUID();
      watch.send('notification', { message, type: 'probe' });
      await watch.next((f) => f.action === 'notification' && f.data['message'] === message, 5000);
      slowestControlMs = Math.max(slowestControlMs, Date.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const byOutcome: Record<string, number> = {};
  const mismatches: string[] = [];
  let sent = 0;
  let reconnects = 0;
  const started = Date.now();
  await Promise.all(
    names.map(async (name, i) => {
      const rand = prng(o.seed + i);
      const ctx = { username: name, userId: `id-${name}`, otherUserId: `id-${names[(i + 1) % names.length] ?? name}` };
      // An idle tab keeps the user online throughout, so each replaced socket costs its own open
      // and close, not a presence change for every socket; closing it at the end must then take
      // the user offline, which happens only if every fuzzed socket was counted out.
      const anchor = await connect(name);
      let client = await connect(name);
      while (sent < o.frames) {
        sent += 1;
        const frame = generateFrame(rand, ctx);
        const got = await outcomeOf(client, frame);
        byOutcome[String(got)] = (byOutcome[String(got)] ?? 0) + 1;
        if (got !== frame.expected && mismatches.length < 20) mismatches.push(`${frame.action} ${frame.mutation}: expected ${frame.expected}, got ${got}`);
        if (got !== 'error') {
          reconnects += 1;
          client = await connect(name);
        }
      }
      await client.close();
      await anchor.close();
    }),
  );
  const ms = Date.now() - started;
  fuzzing = false;
  await probing;
  await watch.close();
  const deadline = Date.now() + 5000;
  let leftOnline: string[] = [];
  do {
    const page = (await api(server, control, 'GET', '/api/chats/?limit=100')) as { items: Array<{ username: string; is_online: boolean }> };
    leftOnline = page.items.filter((c) => c.is_online).map((c) => c.username);
    if (leftOnline.length > 0) await new Promise((r) => setTimeout(r, 100));
  } while (leftOnline.length > 0 && Date.now() < deadline);
  return { frames: sent, byOutcome, mismatches, reconnects, ms, slowestControlMs, leftOnline };
};

describe('WebSocket fuzzing: no frame can wedge a socket', function () {
  this.timeout(120_000);
  let dir: string;
  let server: ServerProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    server = await startServerProcess({ DATA_DIR: dir, ...(process.env['FUZZ_PROF'] === undefined ? {} : { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=/tmp/prof' }), WS_RATE_PER_SECOND: '1000000', WS_RATE_BURST: '1000000', SQLITE_SYNCHRONOUS: 'NORMAL' });
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
