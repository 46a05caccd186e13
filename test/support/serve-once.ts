import { execFile } from 'node:child_process';
import { SERVE_JS } from './server-process.js';

/** Runs `npm start`'s entry point until it exits (or fails the test after 15 s if it starts serving). */
export const serveWith = (env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [SERVE_JS], { env, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      if (err !== null && (err as { killed?: boolean }).killed === true) reject(new Error(`the server did not exit: ${stdout}${stderr}`));
      else resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end();
  });
