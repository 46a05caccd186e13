/**
 * The benchmark's children and temporary directories: every one is tracked, and killed or
 * removed when the orchestrator exits, also on an error or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './stats.js';

/** The checkout (dist/bench/processes.js is two levels below it). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const BENCH_DIR = join(ROOT, '.bench');

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** A temporary directory removed at the end, whatever happens. */
export const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
};

export const removeTempDir = (dir: string): void => {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
};

export const killAll = (): void => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  for (const dir of [...tempDirs]) removeTempDir(dir);
};

/** Kills every child and removes every temporary directory when this process exits, also on Ctrl-C or SIGTERM. */
export const cleanUpOnExit = (): void => {
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
};

export const track = <C extends ChildProcess>(c: C): C => {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
};

export const exited = (c: ChildProcess, timeoutMs: number): Promise<boolean> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve(true)
    : Promise.race([new Promise<boolean>((resolve) => c.once('exit', () => resolve(true))), sleep(timeoutMs).then(() => false)]);

/** SIGTERM, then SIGKILL if it does not exit in time. Resolves true on a clean (signal-handled) exit. */
export const stopProcess = async (c: ChildProcess, timeoutMs: number): Promise<boolean> => {
  if (c.exitCode !== null || c.signalCode !== null) return true;
  c.kill('SIGTERM');
  if (await exited(c, timeoutMs)) return true;
  c.kill('SIGKILL');
  await exited(c, 5000);
  return false;
};

/** `.bench/logs/<name>.log`, where each child's output goes. */
export const logFile = (name: string): NodeJS.WritableStream => {
  mkdirSync(join(BENCH_DIR, 'logs'), { recursive: true });
  return createWriteStream(join(BENCH_DIR, 'logs', `${name}.log`));
};

/** A tracked node child; its stdout and stderr collected, and whether it exited within `timeoutMs` (else it is stopped). */
export const runNode = async (
  script: string,
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<{ readonly proc: ChildProcess; readonly finished: boolean; readonly stdout: string; readonly stderr: string }> => {
  const proc = track(spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const finished = await exited(proc, timeoutMs);
  if (!finished) await stopProcess(proc, 1000);
  return { proc, finished, stdout, stderr };
};

/** Runs a node script of dist/bench and parses the last line it prints as JSON. */
export const runJsonScript = async <T>(script: string, args: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<T> => {
  const { proc, finished, stdout, stderr } = await runNode(join(DIST, 'bench', script), args, timeoutMs, env);
  if (!finished) throw new Error(`${script} did not finish within ${timeoutMs / 60_000} minutes`);
  if (proc.exitCode !== 0) throw new Error(`${script} failed (${proc.exitCode}): ${stderr.slice(-1000)}`);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
};
