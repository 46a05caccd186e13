/**
 * `npm run bench [-- --quick] [-- --write-md] [-- --profile] [-- --only a,b,c,d,e]`
 *
 * Orchestrates the load benchmarks of issue 7. Every server and the load generator run as
 * separate processes on 127.0.0.1; the same generator drives the service and a bare `ws` relay
 * (the baseline), and our figures are reported as ratios to it.
 *   (a) latency at a fixed moderate rate      (b) maximum sustained throughput (ramp)
 *   (c) RSS per idle connection               (d) read-model rebuild speed on a generated log
 *   (e) REST GET /api/chats/{username}/messages latency under load
 * Writes `.bench/results-<timestamp>.json`, prints a markdown table, and with `--write-md`
 * updates BENCHMARKS.md. Every child is killed at the end, also on error or Ctrl-C.
 */
import { fork, spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/support/free-port.js';
import { serviceEnv, waitUntilReady } from './service-process.js';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { collectGarbageAndMeasure, inspectorUrl, type MemoryUsage } from './inspector.js';
import {
  slowerThan,
  type ConnectResult,
  type FromLoad,
  type PhaseResult,
  type PhaseSpec,
  type RestResult,
  type SetupResult,
  type Target,
  type ToLoad,
} from './load-protocol.js';
import { ProcSampler, readCpuTicks, readProcIo, sampleProc, stealPercent, type ProcIo, type ProcSummary } from './proc-stats.js';
import type { LongChatResult } from './long-chat.js';
import type { LongInvitesResult } from './long-invites.js';
import { runPresenceStorm, type PresenceStormResult, type StormMode, type StormScope } from './presence-storm.js';
import type { ReplayResult } from './replay-bench.js';
import { round, sleep, summarise } from './stats.js';
import { defineCli, UsageError, type ParsedArgs } from '../src/interfaces/cli/cli-args.js';
import { runCli } from '../src/interfaces/cli/run-cli.js';
import { dropPageCache } from '../src/infrastructure/shared/page-cache.js';

// ---------------------------------------------------------------- options

interface Options {
  readonly quick: boolean;
  readonly writeMd: boolean;
  readonly profile: boolean;
  readonly only: ReadonlySet<string>;
  /** Users (sockets) for (a), (b), (e): pairs share a chat. */
  readonly users: number;
  readonly rate: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly restRate: number;
  readonly restDurationMs: number;
  readonly rampStart: number;
  readonly rampFactor: number;
  readonly rampSteps: number;
  /** Bound on ramp phases, retries included. */
  readonly rampMaxPhases: number;
  readonly rampWarmupMs: number;
  readonly rampDurationMs: number;
  readonly idleConnections: number;
  /** Users behind the idle connections (tabs = connections / users). */
  readonly idleUsers: number;
  /** A second (c) run where every connection is a distinct user (0: skip). */
  readonly idleDistinct: number;
  readonly idleTimeoutMs: number;
  readonly replayEvents: number;
  readonly longLogEvents: number;
  readonly longLogRounds: number;
  readonly longLogWarmupMs: number;
  readonly longLogDurationMs: number;
  readonly longLogRestDurationMs: number;
  readonly longInvitations: number;
  readonly longChatMessages: number;
  readonly stormUsers: readonly number[];
  /** Scope all with per-change frames is N²: above this many users it is not run. */
  readonly stormAllFramesMax: number;
  readonly profileDurationMs: number;
}

const NUMBER_OPTIONS = {
  users: 'sockets for (a), (b), (e); pairs share a chat (1000; quick 500)',
  rate: 'messages/s for (a) (1000)',
  warmup: 'seconds of warm-up before (a) (5; quick 2)',
  duration: 'seconds of (a) (30; quick 5)',
  'rest-rate': 'REST reads/s for (e) (200)',
  'rest-duration': 'seconds of (e) (20; quick 4)',
  'ramp-start': 'first rate of the (b) ramp (1000)',
  'ramp-factor': 'rate factor between ramp steps (1.5; quick 2)',
  'ramp-steps': 'ramp steps (12; quick 4)',
  'ramp-max-phases': 'bound on ramp phases, retries included (16; quick 5)',
  'ramp-warmup': 'seconds of warm-up per ramp step (2; quick 1)',
  'ramp-duration': 'seconds per ramp step (8; quick 3)',
  idle: 'idle connections for (c) (10000; quick 2000)',
  'idle-users': 'users behind the idle connections (1000; quick 500)',
  'idle-distinct': 'a second (c) run with this many distinct users, 0 skips (2000; quick 0)',
  'idle-timeout': 'seconds allowed for (c) to connect (300; quick 60)',
  'replay-events': 'events in the (d) log (1000000; quick 100000)',
  'long-log-events': 'events in the (f3) long log, against an empty one (10000000; quick 1000000)',
  'long-log-rounds': 'alternating rounds (f3) splits its message and REST phases into, per variant (12)',
  'long-log-warmup': 'seconds of unmeasured load on each (f3) service before its rounds (30; quick 5)',
  'long-log-duration': 'seconds of (f3) message load per variant, over its rounds (120; quick 10)',
  'long-log-rest-duration': 'seconds of (f3) REST load per variant, over its rounds (60; quick 5)',
  'long-invitations': 'historic invitations before (f2) (1000000; quick 100000)',
  'long-chat-messages': 'stored messages in the (f1) chat (1000000; quick 100000)',
  'storm-all-frames-max': 'most users of the (g) storm run with scope all and per-change frames, N² frames (5000; quick 2000)',
  'profile-duration': 'seconds of the --profile run (15)',
} as const;

/** (f) long histories; (g) the reconnect storm. */
const SCENARIOS: readonly string[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

const numberOptions = Object.fromEntries(Object.entries(NUMBER_OPTIONS).map(([name, help]) => [name, { type: 'string', value: 'N', help }])) as {
  readonly [K in keyof typeof NUMBER_OPTIONS]: { readonly type: 'string'; readonly value: 'N'; readonly help: string };
};

const spec = defineCli({
  name: 'bench',
  synopsis: ['npm run bench [-- --quick] [--write-md] [--profile | --no-profile] [--only a,b,c,d,e] [--NAME N ...]'],
  description:
    'Load benchmarks (see BENCHMARKS.md): (a) latency at a fixed rate, (b) maximum sustained throughput, (c) RSS per idle connection, ' +
    '(d) read-model rebuild speed, (e) REST latency under load; against a bare ws relay. The full run takes about 6 minutes.',
  options: {
    quick: { type: 'boolean', help: 'smaller sizes, shorter phases, no profile (< 2 minutes)' },
    'write-md': { type: 'boolean', help: 'update the results section of BENCHMARKS.md' },
    profile: { type: 'boolean', help: 'add a --cpu-prof run of the service (default on a full run)' },
    'no-profile': { type: 'boolean', help: 'skip the profile run of a full run' },
    only: { type: 'string', value: 'LIST', help: 'these scenarios only, e.g. a,e (default a,b,c,d,e,f,g)' },
    'storm-users': { type: 'string', value: 'LIST', help: 'user counts of the (g) reconnect storm (1000,5000,10000; quick 1000,2000)' },
    ...numberOptions,
  },
});

const parseOptions = ({ values }: ParsedArgs<typeof spec.options>): Options => {
  const num = (name: keyof typeof NUMBER_OPTIONS, dflt: number): number => {
    const v = values[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} expects a non-negative number, got ${v}`);
    return n;
  };
  const quick = values.quick === true;
  const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()));
  const unknown = [...only].filter((s) => !SCENARIOS.includes(s));
  if (unknown.length > 0) throw new UsageError(`--only takes scenarios among ${SCENARIOS.join(',')}, got ${unknown.join(',')}`);
  return {
    quick,
    writeMd: values['write-md'] === true,
    profile: values.profile === true || (!quick && values['no-profile'] !== true),
    only,
    users: num('users', quick ? 500 : 1000),
    rate: num('rate', 1000),
    warmupMs: num('warmup', quick ? 2 : 5) * 1000,
    durationMs: num('duration', quick ? 5 : 30) * 1000,
    restRate: num('rest-rate', 200),
    restDurationMs: num('rest-duration', quick ? 4 : 20) * 1000,
    rampStart: num('ramp-start', 1000),
    rampFactor: num('ramp-factor', quick ? 2 : 1.5),
    rampSteps: num('ramp-steps', quick ? 4 : 12),
    rampMaxPhases: num('ramp-max-phases', quick ? 5 : 16),
    rampWarmupMs: num('ramp-warmup', quick ? 1 : 2) * 1000,
    rampDurationMs: num('ramp-duration', quick ? 3 : 8) * 1000,
    idleConnections: num('idle', quick ? 2000 : 10_000),
    idleUsers: num('idle-users', quick ? 500 : 1000),
    idleDistinct: num('idle-distinct', quick ? 0 : 2000),
    idleTimeoutMs: num('idle-timeout', quick ? 60 : 300) * 1000,
    replayEvents: num('replay-events', quick ? 100_000 : 1_000_000),
    longLogEvents: num('long-log-events', quick ? 1_000_000 : 10_000_000),
    longLogRounds: num('long-log-rounds', 12),
    longLogWarmupMs: num('long-log-warmup', quick ? 5 : 30) * 1000,
    longLogDurationMs: num('long-log-duration', quick ? 10 : 120) * 1000,
    longLogRestDurationMs: num('long-log-rest-duration', quick ? 5 : 60) * 1000,
    longInvitations: num('long-invitations', quick ? 100_000 : 1_000_000),
    longChatMessages: num('long-chat-messages', quick ? 100_000 : 1_000_000),
    stormUsers: (values['storm-users'] ?? (quick ? '1000,2000' : '1000,5000,10000')).split(',').map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 2) throw new UsageError(`--storm-users expects user counts ≥ 2, got ${v}`);
      return n;
    }),
    stormAllFramesMax: num('storm-all-frames-max', quick ? 2000 : 5000),
    profileDurationMs: num('profile-duration', 15) * 1000,
  };
};

// ---------------------------------------------------------------- processes

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const BENCH_DIR = join(ROOT, '.bench');
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** A temporary directory removed at the end, whatever happens. */
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
};

const removeTempDir = (dir: string): void => {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
};

const killAll = (): void => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  for (const dir of [...tempDirs]) removeTempDir(dir);
};
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

const track = <C extends ChildProcess>(c: C): C => {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
};

const exited = (c: ChildProcess, timeoutMs: number): Promise<boolean> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve(true)
    : Promise.race([new Promise<boolean>((resolve) => c.once('exit', () => resolve(true))), sleep(timeoutMs).then(() => false)]);

/** SIGTERM, then SIGKILL if it does not exit in time. Resolves true on a clean (signal-handled) exit. */
const stopProcess = async (c: ChildProcess, timeoutMs: number): Promise<boolean> => {
  if (c.exitCode !== null || c.signalCode !== null) return true;
  c.kill('SIGTERM');
  if (await exited(c, timeoutMs)) return true;
  c.kill('SIGKILL');
  await exited(c, 5000);
  return false;
};

const logFile = (name: string): NodeJS.WritableStream => {
  mkdirSync(join(BENCH_DIR, 'logs'), { recursive: true });
  return createWriteStream(join(BENCH_DIR, 'logs', `${name}.log`));
};

interface Server {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly target: Target;
  /** The inspector's URL when started with `inspect`. */
  readonly inspector?: string;
  stop(): Promise<boolean>;
}

const JWT_SECRET = randomBytes(32).toString('hex');

interface StartOptions {
  /** Write a .cpuprofile here on exit. */
  readonly profileDir?: string;
  /** Open the inspector on a free loopback port (to force GCs for memory measurements). */
  readonly inspect?: boolean;
  /** Serve this data directory (kept at the end) instead of a fresh temporary one. */
  readonly dataDir?: string;
  /** How long the first /readyz may take: a long log's read models are caught up first (default 60 s). */
  readonly readyTimeoutMs?: number;
}

const nodeArgsOf = (o: StartOptions): string[] => [
  ...(o.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`]),
  ...(o.inspect === true ? ['--inspect=127.0.0.1:0'] : []),
];

const startService = async (label: string, so: StartOptions = {}): Promise<Server> => {
  const port = await freePort();
  const dataDir = so.dataDir ?? tempDir('bench-service-');
  const env = serviceEnv(
    { dataDir, port, jwtSecret: JWT_SECRET },
    {
      // Flood control and activity throttling are per-user policies: lift them so the
      // generator's 2-50 messages/s per socket measure the message path, not the limiter.
      WS_RATE_PER_SECOND: '1000000',
      WS_RATE_BURST: '1000000',
      ACTIVITY_THROTTLE_MS: '3600000',
    },
  );
  const proc = track(spawn(process.execPath, [...nodeArgsOf(so), join(DIST, 'src/interfaces/cli/serve.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const log = logFile(`service-${label}`);
  proc.stdout?.pipe(log);
  proc.stderr?.pipe(log);
  const inspector = so.inspect === true ? inspectorUrl(proc) : undefined;
  const httpUrl = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = so.readyTimeoutMs ?? 60_000;
  await waitUntilReady(proc, httpUrl, readyTimeoutMs, ` (see .bench/logs/service-${label}.log)`);
  return {
    proc,
    pid: proc.pid ?? 0,
    target: { kind: 'service', httpUrl, wsUrl: `ws://127.0.0.1:${port}`, jwtSecret: JWT_SECRET },
    ...(inspector === undefined ? {} : { inspector: await inspector }),
    stop: async () => {
      const clean = await stopProcess(proc, 30_000);
      if (so.dataDir === undefined) removeTempDir(dataDir);
      return clean;
    },
  };
};

const startRelay = async (label: string, so: StartOptions = {}): Promise<Server> => {
  const proc = track(spawn(process.execPath, [...nodeArgsOf(so), join(DIST, 'bench/baseline-relay.js'), '0'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const log = logFile(`relay-${label}`);
  proc.stderr?.pipe(log);
  const inspector = so.inspect === true ? inspectorUrl(proc) : undefined;
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('relay did not start within 10 s')), 10_000);
    proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening (\d+)/.exec(buf);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
  });
  return {
    proc,
    pid: proc.pid ?? 0,
    target: { kind: 'relay', wsUrl: `ws://127.0.0.1:${port}` },
    ...(inspector === undefined ? {} : { inspector: await inspector }),
    stop: () => stopProcess(proc, 5000),
  };
};

type Reply<T extends FromLoad['type']> = Extract<FromLoad, { type: T }>;

/** The load generator process and a request/response wrapper over its IPC channel. */
class Load {
  private waiting: { type: FromLoad['type']; resolve: (m: FromLoad) => void; reject: (e: Error) => void } | undefined;
  private onMark: ((what: 'measureStart' | 'measureEnd') => void) | undefined;
  readonly pid: number;

  private constructor(private readonly proc: ChildProcess) {
    this.pid = proc.pid ?? 0;
    proc.on('message', (m: FromLoad) => {
      if (m.type === 'mark') return this.onMark?.(m.what);
      const w = this.waiting;
      if (w === undefined) return;
      if (m.type === 'failed') {
        this.waiting = undefined;
        return w.reject(new Error(`load generator: ${m.error}`));
      }
      if (m.type === w.type) {
        this.waiting = undefined;
        w.resolve(m);
      }
    });
    proc.once('exit', (code, signal) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new Error(`load generator exited (${code ?? signal})`));
    });
  }

  static async start(label: string): Promise<Load> {
    const proc = track(fork(join(DIST, 'bench/load.js'), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: ['--max-old-space-size=4096'] }));
    const log = logFile(`load-${label}`);
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
    const load = new Load(proc);
    await load.expect('ready', 15_000);
    return load;
  }

  private expect<T extends FromLoad['type']>(type: T, timeoutMs: number): Promise<Reply<T>> {
    return new Promise<Reply<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`load generator: no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Reply<T>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  private async call<T extends FromLoad['type']>(msg: ToLoad, reply: T, timeoutMs: number): Promise<Reply<T>> {
    const answer = this.expect(reply, timeoutMs);
    this.proc.send(msg);
    return answer;
  }

  async init(target: Target, label: string): Promise<void> {
    this.proc.send({ type: 'init', target, label } satisfies ToLoad);
  }

  async setup(users: number): Promise<SetupResult> {
    return (await this.call({ type: 'setup', users, concurrency: 16 }, 'setupDone', 300_000)).result;
  }

  async connect(from: number, to: number, batch: number, timeoutMs: number, users?: number): Promise<ConnectResult> {
    const msg: ToLoad = { type: 'connect', from, to, batch, timeoutMs, ...(users === undefined ? {} : { users }) };
    return (await this.call(msg, 'connected', timeoutMs + 30_000)).result;
  }

  /** Runs a phase, sampling the server's and the generator's CPU/RSS over its measurement window. */
  async phase(spec: PhaseSpec, serverPid: number): Promise<MeasuredPhase> {
    const server = new ProcSampler(serverPid);
    const gen = new ProcSampler(this.pid);
    let serverStats: ProcSummary | undefined;
    let genStats: ProcSummary | undefined;
    this.onMark = (what) => {
      if (what === 'measureStart') {
        server.start();
        gen.start();
      } else {
        serverStats = server.stop();
        genStats = gen.stop();
      }
    };
    try {
      const { result } = await this.call({ type: 'phase', spec }, 'phaseDone', spec.warmupMs + spec.durationMs + spec.graceMs + 60_000);
      serverStats ??= server.stop();
      genStats ??= gen.stop();
      return { ...result, server: serverStats, generator: genStats };
    } finally {
      this.onMark = undefined;
      server.stop();
      gen.stop();
    }
  }

  async close(): Promise<void> {
    await this.call({ type: 'close' }, 'closed', 60_000).catch(() => undefined);
    this.proc.disconnect();
    await stopProcess(this.proc, 5000);
  }
}

type MeasuredPhase = PhaseResult & { readonly server: ProcSummary; readonly generator: ProcSummary };

// ---------------------------------------------------------------- scenarios

interface RampStep {
  readonly phase: MeasuredPhase;
  readonly passed: boolean;
  readonly why?: string;
}

interface RampResult {
  readonly steps: readonly RampStep[];
  /** Delivered messages/s of the best passing step (for the service: stored, then delivered). */
  readonly maxSustainedPerSecond: number;
  readonly p99AtMaxMs: number;
  readonly stoppedBecause: string;
}

interface IdleResult {
  readonly requested: number;
  /** Distinct users behind the connections (connection c is user c % users). */
  readonly users: number;
  readonly opened: number;
  readonly failed: number;
  readonly connectSeconds: number;
  readonly framesDuringConnect: number;
  readonly framesByAction: Readonly<Record<string, number>>;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  /** (RSS after − before) / connections, both after a forced full GC when `afterGc`. */
  readonly rssPerConnectionKiB: number;
  readonly afterGc: boolean;
  /** The same from /proc without forcing a GC (includes garbage of the connection storm). */
  readonly rssPerConnectionBeforeGcKiB: number;
  readonly heapPerConnectionKiB: number | undefined;
  readonly externalPerConnectionKiB: number | undefined;
  readonly serverCpuSecondsToConnect: number;
  readonly serverDuringConnect: ProcSummary;
  readonly generatorDuringConnect: ProcSummary;
  readonly firstError?: string;
}

interface TargetResults {
  setup?: SetupResult;
  connect?: ConnectResult;
  latency?: MeasuredPhase;
  rest?: MeasuredPhase;
  /** The same REST reads with no message load, for reference. */
  restIdle?: MeasuredPhase;
  ramp?: RampResult;
  idle?: IdleResult;
  idleDistinct?: IdleResult;
  error?: string;
}

const log = (msg: string): void => {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

const describePhase = (p: PhaseResult & { server?: ProcSummary }): string =>
  `sent ${p.sentPerSecond}/s delivered ${p.deliveredPerSecond}/s p50 ${p.latencyMs.p50} p99 ${p.latencyMs.p99} max ${p.latencyMs.max} ms, errors ${p.errors}` +
  (p.server === undefined ? '' : `, server CPU ${p.server.cpuPercent}% (run-queue wait ${p.server.runQueueWaitPercent}%) RSS ${p.server.rssEndMiB} MiB`) +
  (p.firstError === undefined ? '' : ` (first error: ${p.firstError.slice(0, 160)})`);

/**
 * Geometric ramp: up by `rampFactor` while a step passes (p99 ≤ 50 ms, no errors, the generator
 * kept its rate); if the first step fails, down until one passes. A failing step is re-run once,
 * so one hiccup of a shared machine does not end the ramp.
 */
const ramp = async (load: Load, o: Options, serverPid: number, name: string): Promise<RampResult> => {
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

/** (a), (e) and (b) against one target, with `users` sockets in users/2 chats. */
const loadScenarios = async (kind: 'service' | 'relay', o: Options, out: TargetResults): Promise<void> => {
  const name = kind === 'service' ? 'chat-events' : 'baseline';
  const server = kind === 'service' ? await startService('load') : await startRelay('load');
  let load: Load | undefined;
  try {
    load = await Load.start(`${kind}-load`);
    await load.init(server.target, kind);
    out.setup = await load.setup(o.users);
    log(`${name}: ${out.setup.users} users, ${out.setup.chats} chats set up in ${out.setup.ms} ms`);
    out.connect = await load.connect(0, o.users, 100, 120_000);
    log(
      `${name}: ${out.connect.opened} sockets open in ${out.connect.ms} ms (${out.connect.failed} failed, ${out.connect.framesDuringConnect} presence frames)`,
    );
    if (out.connect.failed > 0) throw new Error(`could not connect every user: ${out.connect.firstError ?? ''}`);
    if (o.only.has('a')) {
      out.latency = await load.phase({ rate: o.rate, warmupMs: o.warmupMs, durationMs: o.durationMs, graceMs: 5000 }, server.pid);
      log(`${name} (a) ${o.rate}/s: ${describePhase(out.latency)}`);
    }
    if (o.only.has('e') && kind === 'service') {
      out.restIdle = await load.phase({ rate: 0, warmupMs: 500, durationMs: o.restDurationMs / 2, graceMs: 5000, restRate: o.restRate }, server.pid);
      const ri = out.restIdle.rest;
      log(
        `${name} (e) REST ${o.restRate}/s with no message load: p50 ${ri?.latencyMs.p50} p99 ${ri?.latencyMs.p99} max ${ri?.latencyMs.max} ms, errors ${ri?.errors}`,
      );
      out.rest = await load.phase({ rate: o.rate, warmupMs: 1000, durationMs: o.restDurationMs, graceMs: 5000, restRate: o.restRate }, server.pid);
      const r = out.rest.rest;
      log(
        `${name} (e) REST ${o.restRate}/s under ${o.rate} msgs/s: p50 ${r?.latencyMs.p50} p99 ${r?.latencyMs.p99} max ${r?.latencyMs.max} ms, errors ${r?.errors}`,
      );
    }
    if (o.only.has('b')) out.ramp = await ramp(load, o, server.pid, name);
  } finally {
    await load?.close();
    await server.stop();
  }
};

/**
 * (c): RSS growth per idle connection on a fresh server: n connections of `users` users
 * (each user's first tab first, so presence fan-out happens while few sockets are up).
 */
const idleScenario = async (kind: 'service' | 'relay', o: Options, n: number, users: number, label: string): Promise<IdleResult> => {
  const name = kind === 'service' ? 'chat-events' : 'baseline';
  const server = kind === 'service' ? await startService(label, { inspect: true }) : await startRelay(label, { inspect: true });
  let load: Load | undefined;
  try {
    load = await Load.start(`${kind}-${label}`);
    await load.init(server.target, kind);
    await sleep(1000);
    const gcMeasure = async (): Promise<MemoryUsage | undefined> =>
      server.inspector === undefined ? undefined : collectGarbageAndMeasure(server.inspector).catch(() => undefined);
    const gcBefore = await gcMeasure();
    const before = sampleProc(server.pid);
    const serverSampler = new ProcSampler(server.pid, 500);
    const genSampler = new ProcSampler(load.pid, 500);
    serverSampler.start();
    genSampler.start();
    const connect = await load.connect(0, n, 250, o.idleTimeoutMs, users);
    const serverDuringConnect = serverSampler.stop();
    const generatorDuringConnect = genSampler.stop();
    // Let the server finish what the connections set off (presence fan-out, appends).
    const settleDeadline = performance.now() + 30_000;
    let prev = sampleProc(server.pid);
    for (;;) {
      await sleep(1000);
      const cur = sampleProc(server.pid);
      if (cur === undefined || prev === undefined) break;
      const busy = (cur.cpuSeconds - prev.cpuSeconds) / ((cur.at - prev.at) / 1000);
      prev = cur;
      if (busy < 0.05 || performance.now() > settleDeadline) break;
    }
    const after = sampleProc(server.pid);
    const gcAfter = await gcMeasure();
    // Steady state: after a full GC on both sides; without a GC the figure includes garbage.
    const rssBefore = gcBefore === undefined ? (before?.rssKiB ?? 0) : gcBefore.rss / 1024;
    const rssAfter = gcAfter === undefined ? (after?.rssKiB ?? 0) : gcAfter.rss / 1024;
    const perConn = (a: number, b: number): number => (connect.opened > 0 ? round((b - a) / connect.opened, 1) : 0);
    const result: IdleResult = {
      requested: n,
      users,
      opened: connect.opened,
      failed: connect.failed,
      connectSeconds: round(connect.ms / 1000, 1),
      framesDuringConnect: connect.framesDuringConnect,
      framesByAction: connect.framesByAction,
      rssBeforeMiB: round(rssBefore / 1024, 1),
      rssAfterMiB: round(rssAfter / 1024, 1),
      rssPerConnectionKiB: perConn(rssBefore, rssAfter),
      afterGc: gcAfter !== undefined,
      rssPerConnectionBeforeGcKiB: perConn(before?.rssKiB ?? 0, after?.rssKiB ?? 0),
      heapPerConnectionKiB: gcBefore === undefined || gcAfter === undefined ? undefined : perConn(gcBefore.heapUsed / 1024, gcAfter.heapUsed / 1024),
      externalPerConnectionKiB: gcBefore === undefined || gcAfter === undefined ? undefined : perConn(gcBefore.external / 1024, gcAfter.external / 1024),
      serverCpuSecondsToConnect: round((after?.cpuSeconds ?? 0) - (before?.cpuSeconds ?? 0), 1),
      serverDuringConnect,
      generatorDuringConnect,
      ...(connect.firstError === undefined ? {} : { firstError: connect.firstError }),
    };
    log(
      `${name} (c) ${result.opened}/${n} idle sockets of ${users} users in ${result.connectSeconds} s: RSS ${result.rssBeforeMiB} -> ${result.rssAfterMiB} MiB, ` +
        `${result.rssPerConnectionKiB} KiB/connection after GC (${result.rssPerConnectionBeforeGcKiB} before GC, JS heap ${result.heapPerConnectionKiB} KiB), ${result.framesDuringConnect} frames received while connecting; ` +
        `${JSON.stringify(result.framesByAction)}; CPU while connecting: server ${serverDuringConnect.cpuPercent}% (waiting ${serverDuringConnect.runQueueWaitPercent}%), generator ${generatorDuringConnect.cpuPercent}%`,
    );
    return result;
  } finally {
    await load?.close();
    await server.stop();
  }
};

/** Runs a node script of dist/bench and parses the last line it prints as JSON. */
const runJsonScript = async <T>(script: string, args: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<T> => {
  const proc = track(spawn(process.execPath, [join(DIST, 'bench', script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (!(await exited(proc, timeoutMs))) {
    await stopProcess(proc, 1000);
    throw new Error(`${script} did not finish within ${timeoutMs / 60_000} minutes`);
  }
  if (proc.exitCode !== 0) throw new Error(`${script} failed (${proc.exitCode}): ${stderr.slice(-1000)}`);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
};

const replayScenario = async (events: number): Promise<ReplayResult> => {
  const work = tempDir('bench-replay-work-');
  try {
    return await runJsonScript<ReplayResult>('replay-bench.js', [String(events)], 20 * 60_000, { ...process.env, BENCH_WORK_DIR: work });
  } finally {
    removeTempDir(work);
  }
};

interface ReplayCliResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Including start-up and opening the stores. */
  readonly wallSeconds: number;
  readonly output: string;
}

/** `npm run replay` (the product's rebuild into a new generation) on the same cached log, when it exists. */
const replayCliScenario = async (events: number): Promise<ReplayCliResult | undefined> => {
  const cli = join(DIST, 'src/interfaces/cli/replay.js');
  const cached = join(BENCH_DIR, `replay-log-${events}.db`);
  if (!existsSync(cli) || !existsSync(cached)) return undefined;
  const dataDir = tempDir('bench-replay-cli-');
  try {
    // A hard link: nothing is copied, and the replay only reads the log.
    linkSync(cached, join(dataDir, 'events.db'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    for (const k of ['EVENTSTORE_URL', 'MONGODB_URL', 'NODE_OPTIONS']) delete env[k];
    const t0 = performance.now();
    const proc = track(spawn(process.execPath, [cli, '--keep-old'], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (!(await exited(proc, 20 * 60_000))) {
      await stopProcess(proc, 1000);
      throw new Error('npm run replay did not finish within 20 minutes');
    }
    const wallSeconds = round((performance.now() - t0) / 1000, 2);
    if (proc.exitCode !== 0) throw new Error(`npm run replay failed (${proc.exitCode}): ${stderr.slice(-500)}`);
    const m = /from (\d+) events in ([\d.]+) s: (\d+) events\/s/.exec(stdout);
    if (m === null) throw new Error(`unexpected npm run replay output: ${stdout.slice(0, 300)}`);
    return { events: Number(m[1]), seconds: Number(m[2]), eventsPerSecond: Number(m[3]), wallSeconds, output: stdout.trim() };
  } finally {
    removeTempDir(dataDir);
  }
};

interface LongLogVariant {
  readonly events: number;
  readonly readyAfterStartSeconds: number;
  /** The message phases of every round, pooled (p99 of all their deliveries). */
  readonly latency: MeasuredPhase;
  /** The REST phases of every round, pooled. */
  readonly rest: MeasuredPhase;
  /** Each round's own p99s, in round order: how much one short phase's tail moves. */
  readonly rounds: { readonly newMessageP99Ms: readonly number[]; readonly restP99Ms: readonly number[] };
  readonly append: { readonly appends: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  /** The service's I/O over its whole life, where /proc has it. */
  readonly io?: ProcIo;
}

interface LongLogResult {
  readonly empty: LongLogVariant;
  readonly long: LongLogVariant;
  /** First time only: generating the log, then the service catching its read models up on it. */
  readonly preparedSeconds?: number;
}

/**
 * A data directory whose log holds `events` generated events and whose read models are caught up
 * on them, made once and cached in .bench/ (generating 10 M events and projecting them takes minutes).
 */
const longLogDataset = async (events: number): Promise<{ dir: string; preparedSeconds?: number }> => {
  const dir = join(BENCH_DIR, `long-log-${events}`);
  if (existsSync(join(dir, 'PREPARED'))) return { dir };
  const t0 = performance.now();
  const { logPath } = await runJsonScript<{ logPath: string }>('replay-bench.js', [String(events), '--generate-only'], 60 * 60_000);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('cp', ['--reflink=auto', logPath, join(tmp, 'events.db')]);
  const server = await startService('long-log-prepare', { dataDir: tmp, readyTimeoutMs: 60 * 60_000 });
  if (!(await server.stop())) throw new Error('the service did not stop cleanly after catching up on the long log');
  writeFileSync(join(tmp, 'PREPARED'), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, preparedSeconds: round((performance.now() - t0) / 1000, 1) };
};

const firstErrorOf = (results: readonly { readonly firstError?: string }[]): { firstError?: string } => {
  const found = results.find((r) => r.firstError !== undefined)?.firstError;
  return found === undefined ? {} : { firstError: found };
};

/** Phases measured apart, as one: their raw samples pooled, counts summed, CPU averaged over their windows. */
const poolPhases = (phases: readonly MeasuredPhase[]): MeasuredPhase => {
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

/** One (f3) variant: its service on `dataDir`, with its own load generator, connected and ready for phases. */
class LongLogRig {
  private readonly messagePhases: MeasuredPhase[] = [];
  private io: ProcIo | undefined;
  private readonly restPhases: MeasuredPhase[] = [];

  private constructor(
    readonly label: string,
    private readonly dataDir: string,
    private readonly server: Server,
    private readonly load: Load,
    private readonly readyAfterStartSeconds: number,
  ) {}

  static async start(label: string, o: Options, dataDir: string): Promise<LongLogRig> {
    const t0 = performance.now();
    const server = await startService(label, { dataDir, readyTimeoutMs: 30 * 60_000 });
    const readyAfterStartSeconds = round((performance.now() - t0) / 1000, 1);
    let load: Load | undefined;
    try {
      load = await Load.start(label);
      await load.init(server.target, label);
      await load.setup(o.users);
      const connected = await load.connect(0, o.users, 100, 120_000);
      if (connected.failed > 0) throw new Error(`could not connect every user: ${connected.firstError ?? ''}`);
      return new LongLogRig(label, dataDir, server, load, readyAfterStartSeconds);
    } catch (err) {
      await load?.close();
      await server.stop();
      throw err;
    }
  }

  async messagePhase(o: Options, warmupMs: number, durationMs: number): Promise<void> {
    this.messagePhases.push(await this.load.phase({ rate: o.rate, warmupMs, durationMs, graceMs: 5000, keepSamples: true }, this.server.pid));
  }

  /** Drops what was measured so far (a warm-up's phase). */
  forgetPhases(): void {
    this.messagePhases.length = 0;
    this.restPhases.length = 0;
  }

  async restPhase(o: Options, warmupMs: number, durationMs: number): Promise<void> {
    const spec = { rate: o.rate, warmupMs, durationMs, graceMs: 5000, restRate: o.restRate, keepSamples: true };
    this.restPhases.push(await this.load.phase(spec, this.server.pid));
  }

  /** The service's own view of the message phases (append latency, group commits, GC, event-loop delay), to tell where a tail comes from. */
  async keepMetrics(): Promise<void> {
    if (this.server.target.kind !== 'service') return;
    writeFileSync(join(BENCH_DIR, 'logs', `metrics-${this.label}.txt`), await (await fetch(`${this.server.target.httpUrl}/metrics`)).text());
  }

  async stop(): Promise<void> {
    this.io = readProcIo(this.server.pid) ?? this.io;
    await this.load.close();
    await this.server.stop();
  }

  /** Once stopped: the phases pooled, and the append probe on its log. */
  async result(events: number): Promise<LongLogVariant> {
    const append = await runJsonScript<LongLogVariant['append']>('append-probe.js', [join(this.dataDir, 'events.db'), '5000'], 10 * 60_000);
    return {
      events,
      readyAfterStartSeconds: this.readyAfterStartSeconds,
      latency: poolPhases(this.messagePhases),
      rest: poolPhases(this.restPhases),
      rounds: { newMessageP99Ms: this.messagePhases.map((p) => p.latencyMs.p99), restP99Ms: this.restPhases.map((p) => p.rest?.latencyMs.p99 ?? Number.NaN) },
      append,
      ...(this.io === undefined ? {} : { io: this.io }),
    };
  }
}

/**
 * Drops a directory's files from the page cache. `cp` leaves a copy cached in large folios, which
 * make each page a checkpoint writes cost a whole folio (page-cache.ts). A service that wrote its
 * own files never sees that state, so the copy must not start in it.
 */
const dropFileCache = async (dir: string): Promise<void> => {
  for (const f of readdirSync(dir)) {
    if (!(await dropPageCache(join(dir, f)))) throw new Error(`could not drop ${f} from the page cache`);
  }
};

/**
 * (f3): the same message and REST load on an empty log and on a long one, both services up at
 * once and measured in alternating short rounds (ABBA order), each variant's rounds pooled. The
 * machine's own noise (its two cores are shared with the load generators) moves a phase's tail
 * by 2× from minute to minute; measured in turns, both variants meet the same minutes.
 */
const longLogScenario = async (o: Options): Promise<LongLogResult> => {
  const dataset = await longLogDataset(o.longLogEvents);
  // A copy per run: the run appends, and the cached dataset must stay as generated.
  const work = tempDir('bench-long-log-');
  const emptyDir = tempDir('bench-empty-log-');
  const rigs: LongLogRig[] = [];
  try {
    execFileSync('cp', ['-r', '--reflink=auto', `${dataset.dir}/.`, work]);
    // Without reflinks the copy leaves gigabytes of dirty pages: flushed during the load, they
    // would stall the service's fsyncs (ext4 commits them with its journal), a cost of the copy.
    execFileSync('sync');
    await dropFileCache(work);
    const empty = await LongLogRig.start('long-log-empty', o, emptyDir);
    rigs.push(empty);
    const long = await LongLogRig.start('long-log', o, work);
    rigs.push(long);
    const rounds = Math.max(1, o.longLogRounds);
    const turns = (r: number): readonly LongLogRig[] => (r % 2 === 0 ? [empty, long] : [long, empty]);
    // Each service first meets the load unmeasured, as a running service would have: the long
    // log's copy starts uncached, and its first minute would measure the disk, not the log.
    for (const rig of rigs) await rig.messagePhase(o, o.longLogWarmupMs, 1000);
    for (const rig of rigs) rig.forgetPhases();
    for (let r = 0; r < rounds; r++) {
      for (const rig of turns(r)) await rig.messagePhase(o, 2000, o.longLogDurationMs / rounds);
    }
    for (const rig of rigs) await rig.keepMetrics();
    for (let r = 0; r < rounds; r++) {
      for (const rig of turns(r)) await rig.restPhase(o, r === 0 ? 2000 : 500, o.longLogRestDurationMs / rounds);
    }
    for (const rig of rigs.splice(0)) await rig.stop();
    return {
      empty: await empty.result(0),
      long: await long.result(o.longLogEvents),
      ...(dataset.preparedSeconds === undefined ? {} : { preparedSeconds: dataset.preparedSeconds }),
    };
  } finally {
    for (const rig of rigs) await rig.stop().catch(() => undefined);
    removeTempDir(work);
    removeTempDir(emptyDir);
  }
};

/** (f1): one chat of N stored messages, snapshotted; its first command after a restart, then warm, and cold without the snapshot. */
const longChatScenario = (o: Options): Promise<LongChatResult> =>
  runJsonScript<LongChatResult>('long-chat.js', ['--messages', String(o.longChatMessages)], 90 * 60_000);

/** (f2): N finished invitations seeded once (cached in .bench/), then the first invitation on the reopened store and 1,000 more. */
const longInvitesScenario = (o: Options): Promise<LongInvitesResult> =>
  runJsonScript<LongInvitesResult>('long-invites.js', ['--invitations', String(o.longInvitations), '--cache-dir', BENCH_DIR], 90 * 60_000);

const STORM_CONFIGS: readonly { readonly scope: StormScope; readonly mode: StormMode }[] = [
  { scope: 'all', mode: 'frames' },
  { scope: 'all', mode: 'batched' },
  { scope: 'contacts', mode: 'frames' },
  { scope: 'contacts', mode: 'batched' },
];

/** (g): N distinct users connecting at once to a fresh service, for each presence scope and mode. */
const stormScenario = async (o: Options, notes: string[]): Promise<PresenceStormResult[]> => {
  const rows: PresenceStormResult[] = [];
  for (const users of o.stormUsers) {
    for (const c of STORM_CONFIGS) {
      if (c.scope === 'all' && c.mode === 'frames' && users > o.stormAllFramesMax) {
        notes.push(`(g) scope all with per-change frames was not run at ${users} users (N² frames; --storm-all-frames-max ${o.stormAllFramesMax}).`);
        continue;
      }
      const r = await runPresenceStorm({ users, ...c });
      log(`(g) ${users} users, ${c.scope} + ${c.mode}: ${r.framesDelivered} frames, ${r.serverCpuSeconds} s server CPU, settled in ${r.settledSeconds} s`);
      rows.push(r);
    }
  }
  return rows;
};

interface ProfileResult {
  readonly file: string;
  readonly rate: number;
  readonly seconds: number;
  readonly phase: MeasuredPhase;
  readonly summary: ProfileSummary;
}

/** Runs the service under --cpu-prof at `rate` messages/s and summarises the profile. */
const profileScenario = async (o: Options, rate: number, stamp: string): Promise<ProfileResult> => {
  const dir = join(BENCH_DIR, `profile-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const server = await startService('profile', { profileDir: dir });
  let load: Load | undefined;
  let phase: MeasuredPhase;
  try {
    load = await Load.start('profile');
    await load.init(server.target, 'service');
    await load.setup(o.users);
    await load.connect(0, o.users, 100, 120_000);
    phase = await load.phase({ rate, warmupMs: 1000, durationMs: o.profileDurationMs, graceMs: 3000 }, server.pid);
    log(`profile run at ${rate}/s: ${describePhase(phase)}`);
  } finally {
    await load?.close();
    const clean = await server.stop();
    if (!clean) log('the profiled service did not exit cleanly: its profile may be missing');
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile written in ${dir}`);
  const path = join(dir, file);
  return { file: path.slice(ROOT.length), rate, seconds: o.profileDurationMs / 1000, phase, summary: summariseProfile(path) };
};

// ---------------------------------------------------------------- report

interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly openFilesLimit: number;
  readonly loadAverageAtStart: readonly number[];
}

const machine = (): Machine => {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1] !== undefined) model = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: model,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    openFilesLimit: openFilesLimit(),
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
  };
};

const openFilesLimit = (): number => {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
};

interface Results {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly command: string;
  readonly mode: 'quick' | 'full';
  readonly machine: Machine;
  readonly options: Options;
  readonly notes: readonly string[];
  readonly service: TargetResults;
  readonly baseline: TargetResults;
  readonly replay?: ReplayResult;
  readonly replayCli?: ReplayCliResult;
  readonly profile?: ProfileResult;
  readonly longLog?: LongLogResult;
  readonly longChat?: LongChatResult;
  readonly longInvites?: LongInvitesResult;
  readonly storm?: readonly PresenceStormResult[];
  readonly goals: readonly Goal[];
}

interface Goal {
  readonly id: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  /** Overrides the yes/no/n/a rendering. */
  readonly verdict?: string;
}

const fmt = (x: number | undefined, digits = 2): string => (x === undefined ? '–' : String(round(x, digits)));
const ratio = (ours: number | undefined, base: number | undefined): string =>
  ours === undefined || base === undefined || base === 0 ? '–' : `${round(ours / base, 2)}×`;

const goalsOf = (r: Omit<Results, 'goals' | 'finishedAt' | 'seconds'>): Goal[] => {
  const goals: Goal[] = [];
  const s = r.service;
  const b = r.baseline;
  if (s.latency !== undefined) {
    const p99 = s.latency.latencyMs.p99;
    const base = b.latency?.latencyMs.p99;
    goals.push({
      id: 'a',
      goal: 'p99 ≤ 10 ms and ≤ 3× baseline p99',
      measured: `p99 ${p99} ms; baseline ${fmt(base)} ms (${ratio(p99, base)})`,
      met: p99 <= 10 && (base === undefined ? undefined : p99 <= 3 * base) !== false && s.latency.errors === 0,
    });
  }
  if (s.ramp !== undefined) {
    const base = b.ramp?.maxSustainedPerSecond;
    goals.push({
      id: 'b',
      goal: 'sustained durable msgs/s ≥ 50% of the baseline relay',
      measured: `${s.ramp.maxSustainedPerSecond} msgs/s; baseline ${fmt(base, 0)} (${ratio(s.ramp.maxSustainedPerSecond, base)})`,
      met: base === undefined || base === 0 ? undefined : s.ramp.maxSustainedPerSecond >= 0.5 * base,
    });
  }
  if (s.idle !== undefined) {
    goals.push({
      id: 'c',
      goal: '≤ 20 KiB RSS per idle connection',
      measured:
        `${s.idle.rssPerConnectionKiB} KiB after a full GC, ${s.idle.rssPerConnectionBeforeGcKiB} KiB without forcing one, over ${s.idle.opened} connections (${s.idle.users} users); ` +
        `baseline ${fmt(b.idle?.rssPerConnectionKiB, 1)} / ${fmt(b.idle?.rssPerConnectionBeforeGcKiB, 1)} KiB`,
      met: s.idle.failed === 0 ? s.idle.rssPerConnectionKiB <= 20 : false,
      verdict:
        s.idle.failed > 0
          ? '**no** (connections failed)'
          : `${s.idle.rssPerConnectionKiB <= 20 ? 'yes' : '**no**'} after GC; ${s.idle.rssPerConnectionBeforeGcKiB <= 20 ? 'yes' : '**no**'} without`,
    });
  }
  if (r.replay !== undefined || r.replayCli !== undefined) {
    const rates = [r.replay?.rebuildEventsPerSecond, r.replayCli?.eventsPerSecond].filter((x): x is number => x !== undefined);
    goals.push({
      id: 'd',
      goal: '≥ 100,000 events/s replay on the embedded store',
      measured:
        `${r.replayCli === undefined ? '' : `npm run replay ${r.replayCli.eventsPerSecond} events/s; `}` +
        `${r.replay === undefined ? '' : `ProjectionRunner from empty ${r.replay.rebuildEventsPerSecond} events/s`} (${r.replay?.events ?? r.replayCli?.events ?? 0} events)`,
      met: Math.max(...rates) >= 100_000,
    });
  }
  if (r.longChat !== undefined) {
    const lc = r.longChat;
    goals.push({
      id: 'f1',
      goal: `cold first command ≤ 20 ms and ≤ 1 MiB RSS added, ${lc.messages.toLocaleString('en-US')} stored messages`,
      measured:
        `${lc.coldMs} ms, +${lc.coldRssMiB} MiB RSS (+${lc.coldHeapMiB} MiB heap) after a GC on the idle process (a command on a loaded chat: +${lc.controlRssMiB} MiB); ` +
        `without the snapshot ${lc.withoutSnapshotColdMs} ms, +${lc.withoutSnapshotRssMiB} MiB`,
      met: lc.coldMs <= 20 && lc.coldRssMiB <= 1,
      verdict: `${lc.coldMs <= 20 ? 'yes' : '**no**'} (time); ${lc.coldRssMiB <= 1 ? 'yes' : '**no**'} (RSS)`,
    });
  }
  if (r.longInvites !== undefined) {
    const li = r.longInvites;
    goals.push({
      id: 'f2',
      goal: `first invitation after a restart ≤ 20 ms with ${li.invitations.toLocaleString('en-US')} historic invitations`,
      measured: `${li.firstInvitationMs} ms; then p50 ${li.invitations1000.p50} p99 ${li.invitations1000.p99} ms`,
      met: li.firstInvitationMs <= 20,
    });
  }
  if (r.storm !== undefined && r.storm.length > 0) {
    // Linear: frames and server CPU per user do not grow with the user count (within 1.5× of the smallest run's).
    const byConfig = new Map<string, PresenceStormResult[]>();
    for (const row of r.storm) byConfig.set(`${row.scope} + ${row.mode}`, [...(byConfig.get(`${row.scope} + ${row.mode}`) ?? []), row]);
    const linear = (rows: readonly PresenceStormResult[]): boolean => {
      const [first, ...rest] = rows;
      if (first === undefined) return true;
      const per = (x: PresenceStormResult) => [x.framesDelivered / x.users, x.serverCpuSeconds / x.users] as const;
      return rest.every((x) => per(x).every((v, i) => v <= 1.5 * (per(first)[i] ?? 0)));
    };
    goals.push({
      id: 'g',
      goal: 'reconnect storm linear in users: frames and server CPU per user within 1.5× across sizes (scope all with per-change frames is N² by contract, not counted)',
      measured: [...byConfig].map(([k, rows]) => `${k}: ${linear(rows) ? 'linear' : 'grows faster'}`).join('; '),
      met: [...byConfig].filter(([k]) => k !== 'all + frames').every(([, rows]) => linear(rows)),
    });
  }
  if (r.longLog !== undefined) {
    const { empty, long } = r.longLog;
    const within = (l: number, e: number): boolean => l <= 1.5 * e;
    const pairs = [
      ['append', long.append.p99Ms, empty.append.p99Ms],
      ['new_message', long.latency.latencyMs.p99, empty.latency.latencyMs.p99],
      ['REST', long.rest.rest?.latencyMs.p99 ?? Number.NaN, empty.rest.rest?.latencyMs.p99 ?? Number.NaN],
    ] as const;
    goals.push({
      id: 'f3',
      goal: `p99s on a ${long.events.toLocaleString('en-US')}-event log within 1.5× of the empty log's (same run)`,
      measured: pairs.map(([what, l, e]) => `${what} ${fmt(l)} vs ${fmt(e)} ms (${ratio(l, e)})`).join('; '),
      met: pairs.every(([, l, e]) => within(l, e)),
    });
  }
  return goals;
};

const markdownTable = (r: Results): string => {
  const s = r.service;
  const b = r.baseline;
  const rows: string[][] = [];
  const row = (scenario: string, metric: string, ours: string, base: string, rat: string): void => {
    rows.push([scenario, metric, ours, base, rat]);
  };
  const o = r.options;
  if (s.latency !== undefined || b.latency !== undefined) {
    const sc = `(a) ${o.rate} msgs/s, ${o.users} users, ${o.durationMs / 1000} s`;
    const l = s.latency;
    const bl = b.latency;
    for (const k of ['p50', 'p90', 'p99', 'max'] as const) {
      row(sc, `latency ${k} (ms)`, fmt(l?.latencyMs[k]), fmt(bl?.latencyMs[k]), ratio(l?.latencyMs[k], bl?.latencyMs[k]));
    }
    row(sc, 'delivered frames/s', fmt(l?.deliveredPerSecond, 0), fmt(bl?.deliveredPerSecond, 0), ratio(l?.deliveredPerSecond, bl?.deliveredPerSecond));
    row(
      sc,
      'frames received by all sockets /s',
      fmt(l?.framesReceivedPerSecond, 0),
      fmt(bl?.framesReceivedPerSecond, 0),
      ratio(l?.framesReceivedPerSecond, bl?.framesReceivedPerSecond),
    );
    row(sc, 'errors (lost + error frames + closes)', fmt(l?.errors, 0), fmt(bl?.errors, 0), '');
    row(sc, 'server CPU (% of one core)', fmt(l?.server.cpuPercent, 1), fmt(bl?.server.cpuPercent, 1), ratio(l?.server.cpuPercent, bl?.server.cpuPercent));
    row(sc, 'server main thread waiting for a CPU (%)', fmt(l?.server.runQueueWaitPercent, 1), fmt(bl?.server.runQueueWaitPercent, 1), '');
    row(sc, 'server RSS (MiB, end)', fmt(l?.server.rssEndMiB, 1), fmt(bl?.server.rssEndMiB, 1), ratio(l?.server.rssEndMiB, bl?.server.rssEndMiB));
    row(sc, 'generator CPU (%)', fmt(l?.generator.cpuPercent, 1), fmt(bl?.generator.cpuPercent, 1), '');
  }
  if (s.ramp !== undefined || b.ramp !== undefined) {
    const sc = '(b) ramp until p99 > 50 ms or errors';
    row(
      sc,
      'max sustained msgs/s (delivered)',
      fmt(s.ramp?.maxSustainedPerSecond, 0),
      fmt(b.ramp?.maxSustainedPerSecond, 0),
      ratio(s.ramp?.maxSustainedPerSecond, b.ramp?.maxSustainedPerSecond),
    );
    row(sc, 'p99 at that rate (ms)', fmt(s.ramp?.p99AtMaxMs), fmt(b.ramp?.p99AtMaxMs), ratio(s.ramp?.p99AtMaxMs, b.ramp?.p99AtMaxMs));
    row(sc, 'stopped', s.ramp?.stoppedBecause ?? '–', b.ramp?.stoppedBecause ?? '–', '');
  }
  const idleRows = (tag: string, si: IdleResult | undefined, bi: IdleResult | undefined): void => {
    if (si === undefined && bi === undefined) return;
    const n = si?.requested ?? bi?.requested ?? 0;
    const u = si?.users ?? bi?.users ?? 0;
    const sc = `${tag} ${n} idle connections, ${u === n ? 'each a distinct user' : `${u} users × ${round(n / u, 1)} tabs`}`;
    const s = { idle: si };
    const b = { idle: bi };
    row(
      sc,
      'RSS per connection after full GC (KiB)',
      fmt(s.idle?.rssPerConnectionKiB, 1),
      fmt(b.idle?.rssPerConnectionKiB, 1),
      ratio(s.idle?.rssPerConnectionKiB, b.idle?.rssPerConnectionKiB),
    );
    row(
      sc,
      '… without forcing a GC (KiB)',
      fmt(s.idle?.rssPerConnectionBeforeGcKiB, 1),
      fmt(b.idle?.rssPerConnectionBeforeGcKiB, 1),
      ratio(s.idle?.rssPerConnectionBeforeGcKiB, b.idle?.rssPerConnectionBeforeGcKiB),
    );
    row(
      sc,
      '… of which JS heap (KiB)',
      fmt(s.idle?.heapPerConnectionKiB, 1),
      fmt(b.idle?.heapPerConnectionKiB, 1),
      ratio(s.idle?.heapPerConnectionKiB, b.idle?.heapPerConnectionKiB),
    );
    row(
      sc,
      'opened / failed',
      s.idle === undefined ? '–' : `${s.idle.opened} / ${s.idle.failed}`,
      b.idle === undefined ? '–' : `${b.idle.opened} / ${b.idle.failed}`,
      '',
    );
    row(
      sc,
      'RSS before → after, after GC (MiB)',
      s.idle === undefined ? '–' : `${s.idle.rssBeforeMiB} → ${s.idle.rssAfterMiB}`,
      b.idle === undefined ? '–' : `${b.idle.rssBeforeMiB} → ${b.idle.rssAfterMiB}`,
      '',
    );
    row(sc, 'time to connect all (s)', fmt(s.idle?.connectSeconds, 1), fmt(b.idle?.connectSeconds, 1), ratio(s.idle?.connectSeconds, b.idle?.connectSeconds));
    row(sc, 'server CPU to connect all (s)', fmt(s.idle?.serverCpuSecondsToConnect, 1), fmt(b.idle?.serverCpuSecondsToConnect, 1), '');
    row(sc, 'frames pushed while connecting (presence)', fmt(s.idle?.framesDuringConnect, 0), fmt(b.idle?.framesDuringConnect, 0), '');
  };
  idleRows('(c)', s.idle, b.idle);
  idleRows("(c')", s.idleDistinct, b.idleDistinct);
  if (r.replay !== undefined) {
    const sc = `(d) replay of ${r.replay.events.toLocaleString('en-US')} events`;
    if (r.replayCli !== undefined) row(sc, '`npm run replay` (events/s; s)', `${r.replayCli.eventsPerSecond}; ${r.replayCli.seconds}`, '', '');
    row(sc, 'read-model rebuild, ProjectionRunner (events/s)', fmt(r.replay.rebuildEventsPerSecond, 0), '', '');
    row(sc, 'rebuild time (s)', fmt(r.replay.rebuildSeconds), '', '');
    row(sc, 'log scan only (events/s)', fmt(r.replay.scanEventsPerSecond, 0), '', '');
    row(sc, 'scan + decode (events/s)', fmt(r.replay.decodeEventsPerSecond, 0), '', '');
  }
  if (r.longChat !== undefined) {
    const lc = r.longChat;
    const sc = `(f1) one chat of ${lc.messages.toLocaleString('en-US')} stored messages, after a restart`;
    row(
      sc,
      'cold first command with its snapshot (ms) / RSS added after a GC (MiB) / heap added (MiB)',
      `${fmt(lc.coldMs)} / ${fmt(lc.coldRssMiB)} / ${fmt(lc.coldHeapMiB)}`,
      '',
      '',
    );
    row(sc, 'RSS added by a command on a chat already loaded, the control (MiB)', fmt(lc.controlRssMiB), '', '');
    row(sc, 'warm p50 / p99 (ms)', `${fmt(lc.warmP50Ms)} / ${fmt(lc.warmP99Ms)}`, '', '');
    row(
      sc,
      'cold without the snapshot, the stream replayed (ms) / RSS added (MiB)',
      `${fmt(lc.withoutSnapshotColdMs, 0)} / ${fmt(lc.withoutSnapshotRssMiB)}`,
      '',
      '',
    );
    row(sc, 'snapshot size (KiB)', fmt(lc.snapshotKiB, 1), '', '');
  }
  if (r.longInvites !== undefined) {
    const li = r.longInvites;
    const sc = `(f2) invitations after ${li.invitations.toLocaleString('en-US')} historic ones (${li.events.toLocaleString('en-US')} events)`;
    row(sc, 'first invitation after reopening the store (ms)', fmt(li.firstInvitationMs), '', '');
    row(sc, '1,000 more: p50 / p99 / max (ms)', `${fmt(li.invitations1000.p50)} / ${fmt(li.invitations1000.p99)} / ${fmt(li.invitations1000.max)}`, '', '');
  }
  for (const g of r.storm ?? []) {
    const sc = `(g) reconnect storm, ${g.users.toLocaleString('en-US')} distinct users, PRESENCE_SCOPE=${g.scope}, ${g.mode}`;
    row(sc, 'frames delivered / per user', `${g.framesDelivered} / ${fmt(g.framesDelivered / g.users, 1)}`, '', '');
    row(sc, 'server CPU (s) / settled (s)', `${fmt(g.serverCpuSeconds)} / ${fmt(g.settledSeconds)}`, '', '');
  }
  if (r.longLog !== undefined) {
    const { empty, long } = r.longLog;
    const sc = `(f3) ${long.events.toLocaleString('en-US')}-event log (chat-events column) vs an empty log (baseline column)`;
    row(
      sc,
      'append p50 / p99 (ms), 5,000 sequential',
      `${fmt(long.append.p50Ms)} / ${fmt(long.append.p99Ms)}`,
      `${fmt(empty.append.p50Ms)} / ${fmt(empty.append.p99Ms)}`,
      ratio(long.append.p99Ms, empty.append.p99Ms),
    );
    for (const k of ['p50', 'p99'] as const)
      row(
        sc,
        `new_message latency ${k} at ${o.rate} msgs/s (ms)`,
        fmt(long.latency.latencyMs[k]),
        fmt(empty.latency.latencyMs[k]),
        ratio(long.latency.latencyMs[k], empty.latency.latencyMs[k]),
      );
    for (const k of ['p50', 'p99'] as const)
      row(
        sc,
        `REST GET messages ${k} under load (ms)`,
        fmt(long.rest.rest?.latencyMs[k]),
        fmt(empty.rest.rest?.latencyMs[k]),
        ratio(long.rest.rest?.latencyMs[k], empty.rest.rest?.latencyMs[k]),
      );
    row(
      sc,
      'server CPU during (a) (%)',
      fmt(long.latency.server.cpuPercent, 1),
      fmt(empty.latency.server.cpuPercent, 1),
      ratio(long.latency.server.cpuPercent, empty.latency.server.cpuPercent),
    );
    row(sc, 'service start to /readyz (s)', fmt(long.readyAfterStartSeconds, 1), fmt(empty.readyAfterStartSeconds, 1), '');
    const io = (v: LongLogVariant): string => (v.io === undefined ? '–' : `${fmt(v.io.writeBytes / 1e9)} / ${fmt(v.io.readBytes / 1e9)}`);
    row(sc, 'service I/O over its life: written to / read from disk (GB)', io(long), io(empty), ratio(long.io?.writeBytes, empty.io?.writeBytes));
    const each = (xs: readonly number[]): string => xs.map((x) => fmt(x, 1)).join(' · ');
    row(sc, 'new_message p99 of each round, in turn (ms)', each(long.rounds.newMessageP99Ms), each(empty.rounds.newMessageP99Ms), '');
    row(sc, 'REST p99 of each round, in turn (ms)', each(long.rounds.restP99Ms), each(empty.rounds.restP99Ms), '');
  }
  if (s.rest?.rest !== undefined) {
    const rr = s.rest.rest;
    const sc = `(e) REST GET messages, ${rr.targetRate} req/s under ${o.rate} msgs/s`;
    for (const k of ['p50', 'p90', 'p99', 'max'] as const) row(sc, `latency ${k} (ms)`, fmt(rr.latencyMs[k]), '', '');
    row(sc, 'answered req/s / errors', `${rr.perSecond} / ${rr.errors}`, '', '');
    const share = (n: number): string => `${round((n / Math.max(1, rr.latencyMs.count)) * 100, 1)}%`;
    row(
      sc,
      'answers slower than 100 ms / 500 ms / 1.9 s',
      `${share(rr.slowerThan['100'])} / ${share(rr.slowerThan['500'])} / ${share(rr.slowerThan['1900'])}`,
      '',
      '',
    );
    const idle = s.restIdle?.rest;
    if (idle !== undefined) row(sc, 'same reads, no message load: p50 / p99 (ms)', `${fmt(idle.latencyMs.p50)} / ${fmt(idle.latencyMs.p99)}`, '', '');
    row(sc, 'message p99 meanwhile (ms)', fmt(s.rest.latencyMs.p99), '', '');
  }
  const header = '| scenario | metric | chat-events | baseline relay | ratio |\n|---|---|---:|---:|---:|';
  const body = rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const goals = r.goals
    .map((g) => `| (${g.id}) | ${g.goal} | ${g.measured} | ${g.verdict ?? (g.met === undefined ? 'n/a' : g.met ? 'yes' : '**no**')} |`)
    .join('\n');
  return `${header}\n${body}\n\n| goal | target | measured | met |\n|---|---|---|---|\n${goals}\n`;
};

const profileMarkdown = (p: ProfileResult): string => {
  const list = (entries: ProfileSummary['topSelf'], n: number): string =>
    entries
      .slice(0, n)
      .map((e) => `| ${e.percent}% | \`${e.name.replace(/\|/g, '\\|')}\` |`)
      .join('\n');
  return [
    `Service under \`--cpu-prof\` at ${p.rate} msgs/s for ${p.seconds} s (${describePhase(p.phase)}); busy ${p.summary.busyPercent}% of the samples. Profile: \`${p.file}\`.`,
    '',
    '| share of busy time | area (self time) |',
    '|---:|---|',
    list(p.summary.byArea, 12),
    '',
    '| share of busy time | function (self time) |',
    '|---:|---|',
    list(p.summary.topSelf, 15),
    '',
    '| share of busy time | our function (inclusive) |',
    '|---:|---|',
    list(p.summary.topInclusiveOurs, 15),
    '',
  ].join('\n');
};

const MD_START = '<!-- bench:results:start -->';
const MD_END = '<!-- bench:results:end -->';

const writeBenchmarksMd = (r: Results, table: string, jsonPath: string): void => {
  const path = join(ROOT, 'BENCHMARKS.md');
  const m = r.machine;
  const generated = [
    MD_START,
    `Latest run: ${r.finishedAt.slice(0, 16).replace('T', ' ')} UTC, \`${r.command}\` (${r.mode}, ${Math.round(r.seconds)} s), raw results \`${jsonPath}\`.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, open files limit ${m.openFilesLimit}; ` +
      `load average at start ${m.loadAverageAtStart.join(' / ')}. Server, generator and relay share these cores.`,
    '',
    table,
    ...(r.notes.length > 0 ? ['Notes:', ...r.notes.map((n) => `- ${n}`), ''] : []),
    ...(r.profile === undefined ? [] : ['### CPU profile of the message path (generated)', '', profileMarkdown(r.profile)]),
    MD_END,
  ].join('\n');
  let text = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${MD_START}\n${MD_END}\n`;
  const a = text.indexOf(MD_START);
  const b = text.indexOf(MD_END);
  text = a >= 0 && b > a ? text.slice(0, a) + generated + text.slice(b + MD_END.length) : `${text}\n${generated}\n`;
  writeFileSync(path, text);
};

// ---------------------------------------------------------------- main

const main = async (args: ParsedArgs<typeof spec.options>): Promise<void> => {
  const argv = process.argv.slice(2);
  const o = parseOptions(args);
  const started = new Date();
  const t0 = performance.now();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  mkdirSync(BENCH_DIR, { recursive: true });
  const m = machine();
  const ticksAtStart = readCpuTicks();
  const notes: string[] = [];
  log(`${o.quick ? 'quick' : 'full'} run on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${m.loadAverageAtStart.join(' ')}`);
  if (m.loadAverageAtStart[0] !== undefined && m.loadAverageAtStart[0] > m.cpus * 0.5) {
    notes.push(`The machine was busy when the run started (load average ${m.loadAverageAtStart.join(' / ')} on ${m.cpus} CPUs): absolute figures are noisy.`);
  }
  // Each side of a connection needs a descriptor: keep (c) within the limit.
  const fdBudget = m.openFilesLimit - 512;
  const idleN = Math.min(o.idleConnections, fdBudget);
  if (idleN < o.idleConnections) notes.push(`(c) was lowered to ${idleN} connections by the open files limit (${m.openFilesLimit}).`);

  const service: TargetResults = {};
  const baseline: TargetResults = {};
  const guard = async (what: string, into: TargetResults, f: () => Promise<void>): Promise<void> => {
    try {
      await f();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      into.error = `${into.error === undefined ? '' : `${into.error}; `}${what}: ${msg}`;
      log(`${what} failed: ${msg}`);
    }
  };
  if (['a', 'b', 'e'].some((s) => o.only.has(s))) {
    await guard('chat-events load', service, () => loadScenarios('service', o, service));
    await guard('baseline load', baseline, () => loadScenarios('relay', o, baseline));
  }
  if (o.only.has('c')) {
    const idleUsers = Math.min(o.idleUsers, idleN);
    await guard('chat-events idle', service, async () => {
      service.idle = await idleScenario('service', o, idleN, idleUsers, 'idle');
    });
    await guard('baseline idle', baseline, async () => {
      baseline.idle = await idleScenario('relay', o, idleN, idleUsers, 'idle');
    });
    const distinct = Math.min(o.idleDistinct, fdBudget);
    if (distinct > 0) {
      await guard('chat-events idle (distinct users)', service, async () => {
        service.idleDistinct = await idleScenario('service', o, distinct, distinct, 'idle-distinct');
      });
      await guard('baseline idle (distinct users)', baseline, async () => {
        baseline.idleDistinct = await idleScenario('relay', o, distinct, distinct, 'idle-distinct');
      });
    }
  }
  let replay: ReplayResult | undefined;
  let replayCli: ReplayCliResult | undefined;
  if (o.only.has('d')) {
    log(`(d) replay of ${o.replayEvents} events (the log is generated once and cached in .bench/)`);
    try {
      replay = await replayScenario(o.replayEvents);
      log(
        `(d) rebuild ${replay.rebuildEventsPerSecond} events/s (${replay.rebuildSeconds} s); scan ${replay.scanEventsPerSecond}/s, ` +
          `scan+decode ${replay.decodeEventsPerSecond}/s${replay.generateSeconds === undefined ? '' : `; generated in ${replay.generateSeconds} s`}`,
      );
    } catch (err) {
      notes.push(`(d) failed: ${err instanceof Error ? err.message : String(err)}`);
      log(`(d) failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      replayCli = await replayCliScenario(o.replayEvents);
      if (replayCli !== undefined) log(`(d) npm run replay: ${replayCli.eventsPerSecond} events/s (${replayCli.seconds} s; ${replayCli.wallSeconds} s wall)`);
    } catch (err) {
      notes.push(`(d) npm run replay failed: ${err instanceof Error ? err.message : String(err)}`);
      log(`(d) npm run replay failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  /** Runs one long-history scenario: a failure becomes a note, and the others still run. */
  const attempt = async <T>(tag: string, intro: string, run: () => Promise<T>, outcome: (r: T) => string): Promise<T | undefined> => {
    log(`${tag} ${intro}`);
    try {
      const r = await run();
      log(`${tag} ${outcome(r)}`);
      return r;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      notes.push(`${tag} failed: ${msg}`);
      log(`${tag} failed: ${msg}`);
      return undefined;
    }
  };
  const f = o.only.has('f');
  const longLog = !f
    ? undefined
    : await attempt(
        '(f3)',
        `an empty log and a ${o.longLogEvents}-event log (generated and caught up once, cached in .bench/), in ${o.longLogRounds} alternating rounds`,
        () => longLogScenario(o),
        ({ empty, long, preparedSeconds }) =>
          `p99 long vs empty: append ${long.append.p99Ms} vs ${empty.append.p99Ms} ms, new_message ${long.latency.latencyMs.p99} vs ${empty.latency.latencyMs.p99} ms, ` +
          `REST ${long.rest.rest?.latencyMs.p99} vs ${empty.rest.rest?.latencyMs.p99} ms${preparedSeconds === undefined ? '' : `; prepared in ${preparedSeconds} s`}`,
      );
  const longChat = !f
    ? undefined
    : await attempt(
        '(f1)',
        `one chat of ${o.longChatMessages} stored messages`,
        () => longChatScenario(o),
        (r) => `cold ${r.coldMs} ms, +${r.coldRssMiB} MiB RSS; without the snapshot ${r.withoutSnapshotColdMs} ms`,
      );
  const longInvites = !f
    ? undefined
    : await attempt(
        '(f2)',
        `invitations after ${o.longInvitations} historic ones (seeded once, cached in .bench/)`,
        () => longInvitesScenario(o),
        (r) => `first invitation ${r.firstInvitationMs} ms, then p99 ${r.invitations1000.p99} ms`,
      );
  const storm = !o.only.has('g')
    ? undefined
    : await attempt(
        '(g)',
        `reconnect storms of ${o.stormUsers.join(', ')} distinct users`,
        () => stormScenario(o, notes),
        (rows) => `${rows.length} storms`,
      );
  let profile: ProfileResult | undefined;
  if (o.profile) {
    const max = service.ramp?.maxSustainedPerSecond ?? 0;
    const rate = Math.max(o.rate, Math.round((max * 0.7) / 100) * 100);
    try {
      profile = await profileScenario(o, rate, stamp);
      const top = profile.summary.topInclusiveOurs.slice(0, 5).map((e) => `${e.name} ${e.percent}%`);
      log(
        `profile: ${profile.file}; top areas ${profile.summary.byArea
          .slice(0, 5)
          .map((e) => `${e.name} ${e.percent}%`)
          .join(', ')}; ours (inclusive) ${top.join(', ')}`,
      );
    } catch (err) {
      notes.push(`The profile run failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  for (const [who, t] of [
    ['chat-events', service],
    ['baseline', baseline],
  ] as const) {
    if (t.error !== undefined) notes.push(`${who}: ${t.error}`);
  }
  const ticksAtEnd = readCpuTicks();
  const steal = ticksAtStart === undefined || ticksAtEnd === undefined ? 0 : stealPercent(ticksAtStart, ticksAtEnd);
  // A virtual machine whose host is oversubscribed: every latency then waits for the host too.
  if (steal >= 5) notes.push(`The hypervisor took ${steal}% of this machine's CPU time during the run (steal): absolute figures are noisy.`);
  const bounded = (p: MeasuredPhase | undefined): boolean => p !== undefined && p.generator.cpuPercent > 90;
  if (bounded(baseline.latency) || baseline.ramp?.steps.some((s) => bounded(s.phase))) {
    notes.push(
      'The generator used more than 90% of a core while driving the baseline: the baseline figures are partly bounded by the generator and the shared cores.',
    );
  }
  const partial = {
    startedAt: started.toISOString(),
    command: `npm run bench --${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`,
    mode: o.quick ? ('quick' as const) : ('full' as const),
    machine: m,
    options: o,
    notes,
    service,
    baseline,
    ...(replay === undefined ? {} : { replay }),
    ...(replayCli === undefined ? {} : { replayCli }),
    ...(profile === undefined ? {} : { profile }),
    ...(longLog === undefined ? {} : { longLog }),
    ...(longChat === undefined ? {} : { longChat }),
    ...(longInvites === undefined ? {} : { longInvites }),
    ...(storm === undefined ? {} : { storm }),
  };
  const results: Results = { ...partial, finishedAt: new Date().toISOString(), seconds: round((performance.now() - t0) / 1000, 1), goals: goalsOf(partial) };
  const jsonPath = join(BENCH_DIR, `results-${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(results, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)] : v), 2)}\n`);
  const table = markdownTable(results);
  process.stdout.write(`\n${table}\n`);
  if (results.notes.length > 0) process.stdout.write(`${results.notes.map((n) => `- ${n}`).join('\n')}\n`);
  if (profile !== undefined) process.stdout.write(`\n${profileMarkdown(profile)}\n`);
  process.stdout.write(`\nresults: ${jsonPath.slice(ROOT.length)} (${results.seconds} s)\n`);
  if (o.writeMd) {
    writeBenchmarksMd(results, table, jsonPath.slice(ROOT.length));
    log('BENCHMARKS.md updated');
  }
};

runCli(spec, async (args) => {
  try {
    await main(args);
  } finally {
    killAll();
  }
});
