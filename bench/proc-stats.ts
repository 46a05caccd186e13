/** CPU and memory of a process from /proc (Linux): what the benchmark reports for the server. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { round, sleep } from './stats.js';

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

/** A process's I/O so far (/proc/<pid>/io, every thread, live or ended), or undefined where unreadable. */
export interface ProcIo {
  /** Bytes the process handed to write() and its kin, sockets included. */
  readonly wcharBytes: number;
  /** Bytes it caused to be written to storage (writeback of what it dirtied, whole folios). */
  readonly writeBytes: number;
  /** Bytes it caused to be read from storage (page-cache misses). */
  readonly readBytes: number;
}

export const readProcIo = (pid: number): ProcIo | undefined => {
  try {
    const fields = new Map(
      readFileSync(`/proc/${pid}/io`, 'utf8')
        .trim()
        .split('\n')
        .map((l): [string, number] => [l.slice(0, l.indexOf(':')), Number(l.slice(l.indexOf(':') + 1))]),
    );
    const get = (k: string): number => fields.get(k) ?? Number.NaN;
    return { wcharBytes: get('wchar'), writeBytes: get('write_bytes'), readBytes: get('read_bytes') };
  } catch {
    return undefined;
  }
};

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

/**
 * Waits until the process's CPU falls under 5% of a core over a second (it finished what a load
 * set off: presence fan-out, appends), at most `timeoutMs`, or until it cannot be read.
 */
export const untilIdle = async (pid: number, timeoutMs = 30_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  let prev = sampleProc(pid);
  for (;;) {
    await sleep(1000);
    const cur = sampleProc(pid);
    if (cur === undefined || prev === undefined) return;
    const busy = (cur.cpuSeconds - prev.cpuSeconds) / ((cur.at - prev.at) / 1000);
    prev = cur;
    if (busy < 0.05 || performance.now() > deadline) return;
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

/** The machine's CPU time so far (/proc/stat, in ticks): all of it, and what the hypervisor took. */
export interface CpuTicks {
  readonly total: number;
  readonly steal: number;
}

export const readCpuTicks = (): CpuTicks | undefined => {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
};

/** Percent of the CPU time between two readings that the hypervisor gave to other machines. */
export const stealPercent = (from: CpuTicks, to: CpuTicks): number =>
  to.total > from.total ? round(((to.steal - from.steal) / (to.total - from.total)) * 100, 1) : 0;
