/**
 * Talks to a child started with `--inspect=127.0.0.1:0`: forces a full GC and reads
 * process.memoryUsage(), so idle-connection memory is measured without garbage in it.
 */
import type { ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';

/** Resolves the inspector's ws:// URL from the child's stderr ("Debugger listening on ws://..."). */
export const inspectorUrl = (proc: ChildProcess, timeoutMs = 10_000): Promise<string> =>
  new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('no inspector URL on stderr')), timeoutMs);
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const m = /Debugger listening on (ws:\/\/\S+)/.exec(buf);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        proc.stderr?.off('data', onData);
        resolve(m[1]);
      }
    };
    proc.stderr?.on('data', onData);
  });

export interface MemoryUsage {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

const isMemoryUsage = (u: unknown): u is MemoryUsage =>
  typeof u === 'object' && u !== null && 'rss' in u && typeof u.rss === 'number' && 'heapUsed' in u && typeof u.heapUsed === 'number';

/** Full GC in the child, then its process.memoryUsage(). */
export const collectGarbageAndMeasure = (url: string, timeoutMs = 60_000): Promise<MemoryUsage> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('inspector did not answer'));
    }, timeoutMs);
    const done = (f: () => void): void => {
      clearTimeout(timer);
      ws.close();
      f();
    };
    ws.on('error', (err) => done(() => reject(err)));
    ws.on('open', () => {
      ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
    ws.on('message', (raw: Buffer) => {
      const msg: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof msg !== 'object' || msg === null || !('id' in msg)) return;
      if (msg.id === 1) {
        // A second collection picks up what the first one's finalisers released.
        ws.send(JSON.stringify({ id: 2, method: 'HeapProfiler.collectGarbage' }));
      } else if (msg.id === 2) {
        ws.send(JSON.stringify({ id: 3, method: 'Runtime.evaluate', params: { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true } }));
      } else if (msg.id === 3) {
        const value =
          'result' in msg &&
          typeof msg.result === 'object' &&
          msg.result !== null &&
          'result' in msg.result &&
          typeof msg.result.result === 'object' &&
          msg.result.result !== null &&
          'value' in msg.result.result
            ? msg.result.result.value
            : undefined;
        const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
        done(() => (isMemoryUsage(parsed) ? resolve(parsed) : reject(new Error(`unexpected inspector answer: ${raw.toString('utf8').slice(0, 200)}`))));
      }
    });
  });
