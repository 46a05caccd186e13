/** The two servers the generator drives: the service itself and the bare `ws` relay (the baseline). */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.js';
import { inspectorUrl } from './inspector.js';
import type { Target } from './load-protocol.js';
import { DIST, logFile, removeTempDir, stopProcess, tempDir, track } from './processes.js';
import { serviceEnv, waitUntilReady } from './service-process.js';

export interface Server {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly target: Target;
  /** The inspector's URL when started with `inspect`. */
  readonly inspector?: string;
  stop(): Promise<boolean>;
}

const JWT_SECRET = randomBytes(32).toString('hex');

export interface StartOptions {
  /** Open the inspector on a free loopback port (to force GCs for memory measurements, to profile a phase). */
  readonly inspect?: boolean;
  /** Serve this data directory (kept at the end) instead of a fresh temporary one. */
  readonly dataDir?: string;
  /** How long the first /readyz may take: a long log's read models are caught up first (default 60 s). */
  readonly readyTimeoutMs?: number;
  /** Settings of the service's own, over the bench's (e.g. the flood limits, which it otherwise lifts). */
  readonly env?: NodeJS.ProcessEnv;
  /** More Node flags (e.g. `--heapsnapshot-signal`). */
  readonly nodeArgs?: readonly string[];
}

/** `BENCH_SERVICE_NODE_ARGS` adds Node flags to every service the bench starts (e.g. `--trace-gc`, whose lines go to its log). */
const extraServiceArgs = (process.env['BENCH_SERVICE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');

const nodeArgsOf = (o: StartOptions): string[] => [...(o.inspect === true ? ['--inspect=127.0.0.1:0'] : []), ...(o.nodeArgs ?? [])];

export const startService = async (label: string, so: StartOptions = {}): Promise<Server> => {
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
      ...so.env,
    },
  );
  const proc = track(
    spawn(process.execPath, [...nodeArgsOf(so), ...extraServiceArgs, join(DIST, 'src/interfaces/cli/serve.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
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

export const startRelay = async (label: string, so: StartOptions = {}): Promise<Server> => {
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

/** The service for the `service` target, the relay for the baseline. */
export const startServer = (kind: 'service' | 'relay', label: string, so: StartOptions = {}): Promise<Server> =>
  kind === 'service' ? startService(label, so) : startRelay(label, so);
