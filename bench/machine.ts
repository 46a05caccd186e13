/** What the benchmark ran on, recorded with every result. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { round } from './stats.js';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly openFilesLimit: number;
  readonly loadAverageAtStart: readonly number[];
}

export const machine = (): Machine => {
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
