/** The orchestrator's side of the load generator (load.ts): a forked process driven over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ConnectResult, FromLoad, PhaseResult, PhaseSpec, SetupResult, Target, ToLoad } from './load-protocol.js';
import { DIST, logFile, stopProcess, track } from './processes.js';
import { ProcSampler, type ProcSummary } from './proc-stats.js';

type Reply<T extends FromLoad['type']> = Extract<FromLoad, { type: T }>;

/** The load generator process and a request/response wrapper over its IPC channel. */
export class Load {
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

export type MeasuredPhase = PhaseResult & { readonly server: ProcSummary; readonly generator: ProcSummary };
