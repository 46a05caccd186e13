/**
 * Talks to a child started with `--inspect=127.0.0.1:0`: forces a full GC and reads
 * process.memoryUsage(), so idle-connection memory is measured without garbage in it; profiles
 * its CPU over one phase.
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

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null;

/** One inspector connection: protocol calls answered in order of their ids. */
export interface InspectorSession {
  /** The call's `result`; rejects on a protocol error or after `timeoutMs`. */
  call(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

export const openInspector = (url: string): Promise<InspectorSession> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    const waiting = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
    let next = 0;
    const failAll = (err: Error): void => {
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    };
    ws.once('error', (err) => {
      reject(err);
      failAll(err);
    });
    ws.on('close', () => failAll(new Error('inspector closed')));
    ws.on('message', (raw: Buffer) => {
      const msg: unknown = JSON.parse(raw.toString('utf8'));
      if (!isObject(msg) || typeof msg.id !== 'number') return;
      const w = waiting.get(msg.id);
      if (w === undefined) return;
      waiting.delete(msg.id);
      if (isObject(msg.result)) w.resolve(msg.result);
      else w.reject(new Error(`inspector: ${raw.toString('utf8').slice(0, 200)}`));
    });
    ws.once('open', () =>
      resolve({
        call: (method, params = {}, timeoutMs = 60_000) =>
          new Promise((res, rej) => {
            const id = ++next;
            const timer = setTimeout(() => {
              waiting.delete(id);
              rej(new Error(`inspector did not answer ${method}`));
            }, timeoutMs);
            const settle =
              <T>(f: (v: T) => void) =>
              (v: T) => {
                clearTimeout(timer);
                f(v);
              };
            waiting.set(id, { resolve: settle(res), reject: settle(rej) });
            ws.send(JSON.stringify({ id, method, params }));
          }),
        close: () => ws.close(),
      }),
    );
  });

/** Full GC in the child, then its process.memoryUsage(). */
export const collectGarbageAndMeasure = async (url: string, timeoutMs = 60_000): Promise<MemoryUsage> => {
  const session = await openInspector(url);
  try {
    await session.call('HeapProfiler.collectGarbage', {}, timeoutMs);
    // A second collection picks up what the first one's finalisers released.
    await session.call('HeapProfiler.collectGarbage', {}, timeoutMs);
    const answer = await session.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }, timeoutMs);
    const value = isObject(answer.result) ? answer.result.value : undefined;
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
    if (!isMemoryUsage(parsed)) throw new Error(`unexpected inspector answer: ${JSON.stringify(answer).slice(0, 200)}`);
    return parsed;
  } finally {
    session.close();
  }
};

/**
 * A CPU profile of the child's main thread over `during` only (what `--cpu-prof` gives over the
 * whole process, set-up included: 1,000 users and their sockets cost about as much as the phase).
 */
export const profileDuring = async <T>(url: string, during: () => Promise<T>): Promise<{ readonly result: T; readonly profile: unknown }> => {
  const session = await openInspector(url);
  try {
    await session.call('Profiler.enable');
    // --cpu-prof's default interval, so that both kinds of profile read alike.
    await session.call('Profiler.setSamplingInterval', { interval: 1000 });
    await session.call('Profiler.start');
    const result = await during();
    const { profile } = await session.call('Profiler.stop');
    return { result, profile };
  } finally {
    session.close();
  }
};
