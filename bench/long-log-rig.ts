/** One (f3) variant: a service on its data directory with its own connected load generator, and what it measured. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Load, type MeasuredPhase } from './load-driver.js';
import type { Options } from './options.js';
import { poolPhases } from './pool-phases.js';
import { BENCH_DIR, runJsonScript } from './processes.js';
import { readProcIo, type ProcIo } from './proc-stats.js';
import { startService, type Server } from './servers.js';
import { round } from './stats.js';

export interface LongLogVariant {
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

/** One (f3) variant: its service on `dataDir`, with its own load generator, connected and ready for phases. */
export class LongLogRig {
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

  /** Once stopped: the phases pooled, and `appends` sequential appends probed on its log. */
  async result(events: number, appends: number): Promise<LongLogVariant> {
    const append = await runJsonScript<LongLogVariant['append']>('append-probe.js', [join(this.dataDir, 'events.db'), String(appends)], 10 * 60_000);
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
