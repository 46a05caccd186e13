/**
 * The reconnect storm after a restart: N distinct users connect at once to a fresh service (a
 * child process) and the benchmark waits until presence settles. It reports the frames the
 * sockets received, the server's CPU seconds (from /proc) and the wall time until every socket
 * was ready and until the last presence frame, for each presence scope and mode:
 *
 *   node dist/bench/presence-storm.js --users 1000,5000,10000 [--peers 5] [--configs all-frames,all-batched,contacts-frames,contacts-batched]
 *
 * Scope `all` with per-change frames is quadratic (N² / 2 frames): it runs only up to
 * `--all-frames-max` users (5,000 by default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../test/support/free-port.js';
import { serviceEnv, waitUntilReady } from './service-process.js';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { signDevToken } from '../src/infrastructure/auth/token-signer.js';
import { sampleProc } from './proc-stats.js';
import { round, sleep } from './stats.js';

export type StormScope = 'all' | 'contacts';
export type StormMode = 'frames' | 'batched';

export interface PresenceStormOptions {
  readonly users: number;
  readonly scope: StormScope;
  readonly mode: StormMode;
  /** Contacts per user (scope contacts): chats seeded over REST before the storm. */
  readonly peers?: number;
  readonly coalesceMs?: number;
  /** `PRESENCE_FANOUT_PER_SECOND`: a group of more batched sockets than this × the window gets a longer window. */
  readonly fanoutPerSecond?: number;
  /** Handshakes in flight at once (the rest wait): what a listen backlog can take. */
  readonly concurrency?: number;
  /** How long without a frame counts as settled. */
  readonly quietMs?: number;
  readonly log?: (line: string) => void;
}

export interface PresenceStormResult {
  readonly users: number;
  readonly scope: StormScope;
  readonly mode: StormMode;
  readonly peers: number;
  readonly opened: number;
  readonly framesDelivered: number;
  readonly framesByAction: Readonly<Record<string, number>>;
  readonly bytesDelivered: number;
  /** Server CPU from the first connect until the last frame. */
  readonly serverCpuSeconds: number;
  readonly readySeconds: number;
  /** Until the last frame: every socket ready and presence settled. */
  readonly settledSeconds: number;
  /** Sockets whose presence view was checked against the expected one, and how many matched. */
  readonly checked: number;
  readonly correct: number;
}

const DIST = fileURLToPath(new URL('../', import.meta.url));
const SECRET = randomBytes(32).toString('hex');
const ACTION = /^\{"action":"([a-z_]+)"/;

const name = (i: number): string => `storm${i}`;
const tokenOf = (i: number): string => signDevToken({ secret: SECRET, userId: `storm-${i}`, username: name(i), expiresInSeconds: 6 * 3600 });

/** Each user's peers: chats at ring distance 1 and 2, and one across the ring (5 peers with the default). */
const peersOf = (n: number, peers: number): ReadonlyArray<readonly [number, number]> => {
  const pairs: [number, number][] = [];
  const ring = Math.floor(peers / 2);
  for (let i = 0; i < n; i++) for (let d = 1; d <= ring; d++) pairs.push([i, (i + d) % n]);
  if (peers % 2 === 1) for (let i = 0; i < Math.floor(n / 2); i++) pairs.push([i, i + Math.floor(n / 2)]);
  return pairs;
};

const inParallel = async <T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await run(items[i] as T);
    }),
  );
};

interface Service {
  readonly proc: ChildProcess;
  readonly http: string;
  readonly ws: string;
  stop(): Promise<void>;
}

const startService = async (o: PresenceStormOptions): Promise<Service> => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'presence-storm-'));
  const env = serviceEnv(
    { dataDir, port, jwtSecret: SECRET },
    {
      PRESENCE_SCOPE: o.scope,
      PRESENCE_COALESCE_MS: String(o.coalesceMs ?? 1500),
      PRESENCE_FANOUT_PER_SECOND: String(o.fanoutPerSecond ?? 1000),
      WS_RATE_PER_SECOND: '1000000',
      WS_RATE_BURST: '1000000',
      // The storm measures presence, not durability or the read models' deadline under a
      // saturated CPU (a set-up that waited past it would close the socket with 1011).
      SQLITE_SYNCHRONOUS: 'NORMAL',
      READ_YOUR_WRITES_TIMEOUT_MS: '60000',
      // The one client process cannot answer pings in time while it parses millions of frames:
      // the heartbeat would terminate sockets (and their offlines would add to the storm).
      WS_PING_INTERVAL_MS: '600000',
      WS_PONG_TIMEOUT_MS: '600000',
      // A storm's sockets are slow readers by design (the client is one process): do not drop them.
      WS_MAX_BUFFERED_BYTES: String(256 * 1024 * 1024),
    },
  );
  const proc = spawn(process.execPath, [join(DIST, 'src/interfaces/cli/serve.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const http = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, http, 60_000);
  return {
    proc,
    http,
    ws: `ws://127.0.0.1:${port}/ws/events`,
    stop: async () => {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const request = async (svc: Service, method: string, path: string, i: number): Promise<void> => {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(svc.http + path, { method, headers: { authorization: `Bearer ${tokenOf(i)}` } });
    await res.arrayBuffer();
    if (res.status < 300) return;
    if (res.status !== 503 || attempt > 20) throw new Error(`${method} ${path}: ${res.status}`);
    await sleep(200);
  }
};

/** Registers every user, and in scope `contacts` opens each user's chats with its peers. */
const seed = async (svc: Service, o: PresenceStormOptions, peers: number): Promise<void> => {
  const ids = Array.from({ length: o.users }, (_, i) => i);
  await inParallel(ids, 64, (i) => request(svc, 'GET', '/api/chats/', i));
  if (o.scope === 'contacts') await inParallel(peersOf(o.users, peers), 64, ([a, b]) => request(svc, 'PUT', `/api/chats/${name(b)}`, a));
};

interface Watched {
  online: Set<string>;
}

/** What a socket's user should see online at the end: everyone (scope all) or its peers. */
const expectedOf = (o: PresenceStormOptions, peers: number): ((i: number) => ReadonlySet<string>) => {
  if (o.scope === 'all') {
    const everyone = new Set(Array.from({ length: o.users }, (_, i) => name(i)));
    return () => everyone;
  }
  const of = new Map<number, Set<string>>();
  for (const [a, b] of peersOf(o.users, peers)) {
    of.set(a, (of.get(a) ?? new Set()).add(name(b)));
    of.set(b, (of.get(b) ?? new Set()).add(name(a)));
  }
  return (i) => of.get(i) ?? new Set();
};

const applyPresence = (w: Watched, text: string): void => {
  const f = JSON.parse(text) as { action: string; data: { username?: string; online?: string[]; offline?: string[] } };
  if (f.action === 'presence_state') w.online = new Set(f.data.online);
  if (f.action === 'presence_diff') {
    for (const u of f.data.offline ?? []) w.online.delete(u);
    for (const u of f.data.online ?? []) w.online.add(u);
  }
  if (f.action === 'user_online' && f.data.username !== undefined) w.online.add(f.data.username);
  if (f.action === 'user_offline' && f.data.username !== undefined) w.online.delete(f.data.username);
};

export const runPresenceStorm = async (o: PresenceStormOptions): Promise<PresenceStormResult> => {
  const peers = o.peers ?? 5;
  // Quiet for two of the longest windows the service may choose (every user in one group).
  const longestWindowMs = Math.max(o.coalesceMs ?? 1500, (o.users / (o.fanoutPerSecond ?? 1000)) * 1000);
  const quietMs = o.quietMs ?? Math.max(2000, 2 * longestWindowMs);
  const log = o.log ?? (() => undefined);
  const svc = await startService(o);
  const sockets: WebSocket[] = [];
  try {
    await seed(svc, o, peers);
    await sleep(500);
    const pid = svc.proc.pid ?? 0;
    const byAction = new Map<string, number>();
    let frames = 0;
    let bytes = 0;
    let lastFrameAt = 0;
    let cpuAtLastFrame = 0;
    let ready = 0;
    let readyAt = 0;
    // A few batched sockets keep their whole presence view, checked at the end (per-change frames
    // have no state: a socket knows only who came online after it).
    const watchEvery = o.mode === 'batched' ? Math.max(1, Math.floor(o.users / 20)) : Number.POSITIVE_INFINITY;
    const watched = new Map<number, Watched>();
    const suffix = o.mode === 'batched' ? '&presence=batched' : '';
    const start = performance.now();
    const cpuStart = sampleProc(pid)?.cpuSeconds ?? 0;
    const cpuTimer = setInterval(() => {
      // CPU up to the last frame, sampled often: the quiet period after it is not counted.
      if (performance.now() - lastFrameAt < 150) cpuAtLastFrame = sampleProc(pid)?.cpuSeconds ?? cpuAtLastFrame;
    }, 50);
    await inParallel(
      Array.from({ length: o.users }, (_, i) => i),
      o.concurrency ?? 500,
      (i) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(`${svc.ws}?token=${tokenOf(i)}${suffix}`, { perMessageDeflate: false });
          sockets.push(ws);
          const w: Watched | undefined = i % watchEvery === 0 && Number.isFinite(watchEvery) ? { online: new Set() } : undefined;
          if (w !== undefined) watched.set(i, w);
          ws.on('message', (data) => {
            const text = data.toString();
            frames++;
            bytes += text.length;
            lastFrameAt = performance.now();
            const action = ACTION.exec(text)?.[1] ?? 'unknown';
            byAction.set(action, (byAction.get(action) ?? 0) + 1);
            if (action === 'ready') {
              ready++;
              if (ready === o.users) readyAt = lastFrameAt;
            }
            if (w !== undefined && action !== 'ready') applyPresence(w, text);
          });
          // Opened (the handshake is done): the next may start; its set-up goes on meanwhile.
          ws.once('open', () => resolve());
          ws.once('error', (err) => {
            log(`socket ${i}: ${err.message}`);
            resolve();
          });
        }),
    );
    for (;;) {
      await sleep(250);
      if (performance.now() - lastFrameAt > quietMs && (ready === o.users || performance.now() - lastFrameAt > 30_000)) break;
    }
    clearInterval(cpuTimer);
    const expected = expectedOf(o, peers);
    let correct = 0;
    for (const [i, w] of watched) {
      const want = expected(i);
      if (want.size === w.online.size && [...want].every((u) => w.online.has(u))) correct++;
    }
    return {
      users: o.users,
      scope: o.scope,
      mode: o.mode,
      peers: o.scope === 'contacts' ? peers : 0,
      opened: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
      framesDelivered: frames,
      framesByAction: Object.fromEntries([...byAction].sort()),
      bytesDelivered: bytes,
      serverCpuSeconds: round(Math.max(cpuAtLastFrame, cpuStart) - cpuStart, 2),
      readySeconds: round(((readyAt || lastFrameAt) - start) / 1000, 2),
      settledSeconds: round((lastFrameAt - start) / 1000, 2),
      checked: watched.size,
      correct,
    };
  } finally {
    for (const s of sockets) s.terminate();
    await svc.stop();
  }
};

const CONFIGS: Readonly<Record<string, { scope: StormScope; mode: StormMode }>> = {
  'all-frames': { scope: 'all', mode: 'frames' },
  'all-batched': { scope: 'all', mode: 'batched' },
  'contacts-frames': { scope: 'contacts', mode: 'frames' },
  'contacts-batched': { scope: 'contacts', mode: 'batched' },
};

const argOf = (args: readonly string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};

const main = async (): Promise<void> => {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(
      'usage: node dist/bench/presence-storm.js [--users 1000,5000,10000] [--peers 5] [--configs all-frames,all-batched,contacts-frames,contacts-batched] [--all-frames-max 5000]\n',
    );
    return;
  }
  const users = (argOf(args, '--users') ?? '1000,5000,10000').split(',').map(Number);
  const peers = Number(argOf(args, '--peers') ?? 5);
  const allFramesMax = Number(argOf(args, '--all-frames-max') ?? 5000);
  const configs = (argOf(args, '--configs') ?? Object.keys(CONFIGS).join(',')).split(',');
  const rows: PresenceStormResult[] = [];
  for (const n of users) {
    for (const c of configs) {
      const config = CONFIGS[c];
      if (config === undefined) throw new Error(`unknown config ${c}`);
      if (c === 'all-frames' && n > allFramesMax) {
        process.stderr.write(`skipped ${c} at ${n} users (over --all-frames-max ${allFramesMax}: N² frames)\n`);
        continue;
      }
      const r = await runPresenceStorm({ users: n, peers, ...config, log: (line) => process.stderr.write(`${line}\n`) });
      rows.push(r);
      process.stderr.write(`${JSON.stringify(r)}\n`);
    }
  }
  process.stdout.write(
    '| users | scope | mode | frames delivered | MB delivered | server CPU s | all ready s | settled s | views correct |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.users} | ${r.scope} | ${r.mode} | ${r.framesDelivered} | ${round(r.bytesDelivered / 1e6, 1)} | ${r.serverCpuSeconds} | ${r.readySeconds} | ${r.settledSeconds} | ${r.correct}/${r.checked} |\n`,
    );
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
