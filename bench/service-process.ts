import type { ChildProcess } from 'node:child_process';
import { sleep } from './stats.js';

/**
 * The environment of a service child serving 127.0.0.1:`port` from the embedded stores in
 * `dataDir`: nothing inherited can point it at other servers or change its Node flags.
 */
export const serviceEnv = (
  o: { readonly dataDir: string; readonly port: number; readonly jwtSecret: string },
  overrides: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['EVENTSTORE_URL', 'MONGODB_URL', 'NODE_OPTIONS']) delete env[k];
  return { ...env, DATA_DIR: o.dataDir, PORT: String(o.port), HOST: '127.0.0.1', JWT_SECRET: o.jwtSecret, LOG_LEVEL: 'warn', ...overrides };
};

/** Polls `/readyz` until it answers 200; fails when the process exits first or `timeoutMs` passes. */
export const waitUntilReady = async (proc: ChildProcess, httpUrl: string, timeoutMs: number, whereToLook = ''): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service exited with ${proc.exitCode}${whereToLook}`);
    const ready = await fetch(`${httpUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false, // not listening yet
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`service not ready within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
};
