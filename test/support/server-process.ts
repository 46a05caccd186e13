import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { signDevToken } from '../../src/infrastructure/auth/token-signer.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const SERVE_JS = join(ROOT, 'dist', 'src', 'interfaces', 'cli', 'serve.js');
export const PROCESS_SECRET = 'server-process-test-secret-0123456789';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly base: string;
  readonly wsUrl: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  token(username: string, sub?: string): string;
}

/** Resolves with the port once the process logs that it is listening. */
const waitForListening = (child: ChildProcess, output: () => string): Promise<number> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output()}`)), 60_000);
    const check = (): void => {
      const m = /"port":(\d+)/.exec(output());
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)} before listening: ${output()}`));
    });
  });

/**
 * The real server as its own process (`node dist/.../serve.js`, or any command such as
 * `npm start`), on an ephemeral port, so a test can signal it, kill it, or load it from another core.
 */
export const startServerProcess = async (
  /** Added to the defaults; a variable given as undefined is left unset (no JWT_SECRET: the development secret). */
  env: Record<string, string | undefined>,
  command: readonly string[] = [process.execPath, SERVE_JS],
): Promise<ServerProcess> => {
  const [cmd, ...args] = command as [string, ...string[]];
  const merged: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: PROCESS_SECRET, LOG_LEVEL: 'info', ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await waitForListening(child, () => out);
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    base,
    wsUrl: `ws://127.0.0.1:${port}/ws/events`,
    exited,
    output: () => out,
    token: (username, sub) => signDevToken({ secret: env['JWT_SECRET'] ?? PROCESS_SECRET, userId: sub ?? `id-${username}`, username, expiresInSeconds: 3600 }),
  };
};
