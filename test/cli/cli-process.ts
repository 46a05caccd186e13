import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A secret of the length a deployment would use (the CLIs that need one must find it). */
export const CLI_SECRET = 'cli-tests-secret-0123456789abcdef-0123456789';

export const CLI_NAMES = ['token', 'serve', 'audit', 'replay', 'verify', 'export', 'import', 'erase', 'migrate', 'ledger'] as const;
export type CliName = (typeof CLI_NAMES)[number] | 'bench';

export const cliPath = (name: CliName): string =>
  name === 'bench' ? join(ROOT, 'dist', 'bench', 'run.js') : join(ROOT, 'dist', 'src', 'interfaces', 'cli', `${name}.js`);

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const tempDir = (prefix = 'cli-test-'): string => mkdtempSync(join(tmpdir(), prefix));

/** The environment of a CLI run: this process's, minus anything that would pick another store. */
export const cliEnv = (dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, JWT_SECRET: CLI_SECRET, LOG_LEVEL: 'silent', ...extra };
  for (const k of ['EVENTSTORE_URL', 'MONGODB_URL', 'JWT_PUBLIC_KEY', 'NODE_OPTIONS']) if (!(k in extra)) delete env[k];
  return env;
};

/** Runs the compiled CLI as its own process (`node dist/.../NAME.js ARGS`), stdout and stderr piped. */
export const runCliProcess = (
  name: CliName,
  args: readonly string[],
  options: { dataDir: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(name), ...args], { env: cliEnv(options.dataDir, options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });

/** `times` runs of `run`, at most `parallel` at once (two cores are shared: small batches). */
export const repeat = async <T>(times: number, parallel: number, run: (i: number) => Promise<T>): Promise<T[]> => {
  const results: T[] = [];
  for (let i = 0; i < times; i += parallel) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(parallel, times - i) }, (_, j) => run(i + j)))));
  }
  return results;
};

export const FIXTURE = join(ROOT, 'test', 'fixtures', 'log-v1.ndjson');

/** Events in the fixture log. */
export const fixtureEvents = (): number =>
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;

export const CHAT_ID = '3f0c2a1e-5b7d-4c9e-8f10-2a3b4c5d6e7f';

/**
 * The version-1 fixture log followed by `extra` more messages in its chat: long enough that a
 * timeline overflows a pipe's buffer.
 */
export const writeLongLog = (dir: string, extra: number): string => {
  const lines = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const firstRevision = 6;
  const firstPosition = lines.length + 1;
  for (let i = 0; i < extra; i += 1) {
    const at = new Date(Date.UTC(2025, 0, 2, 0, 0, 0) + i * 1000).toISOString();
    const seq = 4 + i;
    const sender = i % 2 === 0 ? 'id-ada' : 'id-bob';
    lines.push(
      JSON.stringify({
        id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        stream: `chat-${CHAT_ID}`,
        revision: firstRevision + i,
        type: 'MessageSent',
        data: {
          chatId: CHAT_ID,
          messageId: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          senderId: sender,
          content: `message number ${seq}`,
          seq,
          date: at,
        },
        metadata: { correlationId: `long-${i}`, timestamp: at, schemaVersion: 1, userId: sender },
        position: String(firstPosition + i),
      }),
    );
  }
  const file = join(dir, 'long-log.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};
