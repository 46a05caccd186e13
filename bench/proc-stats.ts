/** CPU and memory of a process from /proc (Linux): what the benchmark reports for the server. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { round } from './stats.js';

let clockTicks: number | undefined;
const ticksPerSecond = (): number => {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
};

export interface ProcSample {
  /** performance.now() of the sampling process. */
  readonly at: number;
  /** user + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  readonly rssKiB: number;
  /** Seconds the main thread spent runnable but waiting for a CPU (other processes had it). */
  readonly runQueueSeconds: number;
}

/** One sample, or undefined once the process is gone. */
export const sampleProc = (pid: number): ProcSample | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    // schedstat of the main thread: on-CPU ns, run-queue wait ns, timeslices.
    const sched = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
    return {
      at: performance.now(),
      cpuSeconds: (utime + stime) / ticksPerSecond(),
      rssKiB: Number(rss?.[1] ?? 0),
      runQueueSeconds: Number(sched[1] ?? 0) / 1e9,
    };
  } catch {
    return undefined;
  }
};

export interface ProcSummary {
  /** Average CPU over the window, in % of one core. */
  readonly cpuPercent: number;
  readonly cpuSeconds: number;
  /** Share of the window the main thread was ready to run but waited for a CPU: CPU contention. */
  readonly runQueueWaitPercent: number;
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
  readonly rssMaxMiB: number;
}

/** Samples a process periodically between start() and stop(). */
export class ProcSampler {
  private samples: ProcSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.samples = [];
    this.take();
    this.timer = setInterval(() => this.take(), this.intervalMs);
  }

  stop(): ProcSummary {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.take();
    return summariseSamples(this.samples);
  }

  private take(): void {
    const s = sampleProc(this.pid);
    if (s !== undefined) this.samples.push(s);
  }
}

export const summariseSamples = (samples: readonly ProcSample[]): ProcSummary => {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined) return { cpuPercent: 0, cpuSeconds: 0, runQueueWaitPercent: 0, rssStartMiB: 0, rssEndMiB: 0, rssMaxMiB: 0 };
  const wall = (last.at - first.at) / 1000;
  const cpu = last.cpuSeconds - first.cpuSeconds;
  const mib = (kib: number): number => round(kib / 1024, 1);
  return {
    cpuPercent: wall > 0 ? round((cpu / wall) * 100, 1) : 0,
    cpuSeconds: round(cpu, 2),
    runQueueWaitPercent: wall > 0 ? round(((last.runQueueSeconds - first.runQueueSeconds) / wall) * 100, 1) : 0,
    rssStartMiB: mib(first.rssKiB),
    rssEndMiB: mib(last.rssKiB),
    rssMaxMiB: mib(Math.max(...samples.map((s) => s.rssKiB))),
  };
};
