/**
 * Talks to a child started with `--inspect=127.0.0.1:0`: forces a full GC in each of its threads
 * and reads process.memoryUsage(), so idle-connection memory is measured without garbage in it;
 * profiles its CPU over one phase.
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

/** One inspector session: protocol calls answered by their ids, and the events it sends. */
export interface InspectorSession {
  /** The call's `result`; rejects on a protocol error or after `timeoutMs`. */
  call(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Calls `listener` with the params of each `method` event from now on. */
  on(method: string, listener: (params: Record<string, unknown>) => void): void;
  close(): void;
}

/** Where a session's messages go and come from: the inspector's socket, or a worker thread reached through its parent's session. */
interface Channel {
  send(message: string): void;
  onMessage(listener: (message: string) => void): void;
  onClosed(listener: () => void): void;
  close(): void;
}

const sessionOver = (channel: Channel): InspectorSession => {
  const waiting = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Array<(params: Record<string, unknown>) => void>>();
  let next = 0;
  channel.onClosed(() => {
    for (const w of waiting.values()) w.reject(new Error('inspector closed'));
    waiting.clear();
  });
  channel.onMessage((text) => {
    const msg: unknown = JSON.parse(text);
    if (!isObject(msg)) return;
    if (typeof msg.method === 'string') {
      const params = isObject(msg.params) ? msg.params : {};
      for (const l of listeners.get(msg.method) ?? []) l(params);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const w = waiting.get(msg.id);
    if (w === undefined) return;
    waiting.delete(msg.id);
    if (isObject(msg.result)) w.resolve(msg.result);
    else w.reject(new Error(`inspector: ${text.slice(0, 200)}`));
  });
  return {
    call: (method, params = {}, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`inspector did not answer ${method}`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        channel.send(JSON.stringify({ id, method, params }));
      }),
    on: (method, listener) => listeners.set(method, [...(listeners.get(method) ?? []), listener]),
    close: () => channel.close(),
  };
};

export const openInspector = (url: string): Promise<InspectorSession> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve(
        sessionOver({
          send: (m) => ws.send(m),
          onMessage: (l) => ws.on('message', (raw: Buffer) => l(raw.toString('utf8'))),
          onClosed: (l) => ws.on('close', l),
          close: () => ws.close(),
        }),
      ),
    );
  });

/** A worker thread's session, its messages carried by its parent's (Node's `NodeWorker` domain). */
const workerSession = (parent: InspectorSession, sessionId: string): InspectorSession =>
  sessionOver({
    send: (message) => void parent.call('NodeWorker.sendMessageToWorker', { sessionId, message }).catch(() => undefined),
    onMessage: (l) =>
      parent.on('NodeWorker.receivedMessageFromWorker', (p) => {
        if (p.sessionId === sessionId && typeof p.message === 'string') l(p.message);
      }),
    onClosed: (l) =>
      parent.on('NodeWorker.detachedFromWorker', (p) => {
        if (p.sessionId === sessionId) l();
      }),
    close: () => undefined,
  });

/** Every worker thread under `parent`, those its threads started included. */
const workerSessions = async (parent: InspectorSession): Promise<InspectorSession[]> => {
  const ids: string[] = [];
  parent.on('NodeWorker.attachedToWorker', (p) => {
    if (typeof p.sessionId === 'string') ids.push(p.sessionId);
  });
  // The threads already running are announced while the call is handled, before its answer. A
  // worker's own session has no such domain: threads a worker started cannot be reached.
  const enabled = await parent.call('NodeWorker.enable', { waitForDebuggerOnStart: false }, 5000).then(
    () => true,
    () => false,
  );
  if (!enabled) return [];
  const sessions = ids.map((id) => workerSession(parent, id));
  const nested = await Promise.all(sessions.map(workerSessions));
  return [...sessions, ...nested.flat()];
};

const collectTwice = async (session: InspectorSession, timeoutMs: number): Promise<void> => {
  await session.call('HeapProfiler.collectGarbage', {}, timeoutMs);
  // A second collection picks up what the first one's finalisers released.
  await session.call('HeapProfiler.collectGarbage', {}, timeoutMs);
};

/**
 * `HeapProfiler.collectGarbage` posts a task that a worker thread waiting for its next message may
 * not run for a long time; `gc()` from a fresh context (the flag is read when a context is made)
 * collects at once, in the thread that evaluates it.
 */
const GC_IN_THREAD =
  "(() => { process.getBuiltinModule('v8').setFlagsFromString('--expose-gc'); const gc = process.getBuiltinModule('vm').runInNewContext('gc'); gc(); gc(); return '1'; })()";

const collectInWorker = async (session: InspectorSession, timeoutMs: number): Promise<void> => {
  await evaluate(session, GC_IN_THREAD, timeoutMs);
};

const evaluate = async (session: InspectorSession, expression: string, timeoutMs: number): Promise<unknown> => {
  const answer = await session.call('Runtime.evaluate', { expression, returnByValue: true }, timeoutMs);
  const value = isObject(answer.result) ? answer.result.value : undefined;
  if (typeof value !== 'string') throw new Error(`unexpected inspector answer: ${JSON.stringify(answer).slice(0, 200)}`);
  return JSON.parse(value);
};

const memoryUsageOf = async (session: InspectorSession, timeoutMs: number): Promise<MemoryUsage> => {
  const parsed = await evaluate(session, 'JSON.stringify(process.memoryUsage())', timeoutMs);
  if (!isMemoryUsage(parsed)) throw new Error(`unexpected memory usage: ${JSON.stringify(parsed).slice(0, 200)}`);
  return parsed;
};

export interface GcMeasures {
  /** After a full GC of the main thread's heap only (each worker thread has a heap of its own). */
  readonly mainThread: MemoryUsage;
  /** Then after a full GC of every worker thread's heap that answers too: what the process retains. */
  readonly everyThread: MemoryUsage;
  /** Worker threads collected, and those that did not answer (left as they were). */
  readonly workerThreads: number;
  readonly unreachableThreads: number;
  /** The worker threads' heaps in use, summed, before and after their GC. */
  readonly workerHeapUsed: { readonly before: number; readonly after: number };
}

/** Full GCs in the child, its main thread first and then every worker thread, with process.memoryUsage() after each step. */
export const collectGarbageAndMeasure = async (url: string, timeoutMs = 60_000): Promise<GcMeasures> => {
  const session = await openInspector(url);
  try {
    await collectTwice(session, timeoutMs);
    const mainThread = await memoryUsageOf(session, timeoutMs);
    // A thread asleep in Atomics.wait (the WAL checkpointers between checkpoints) cannot answer:
    // only those that answer a probe within a second are collected.
    const attached = await workerSessions(session);
    const answers = await Promise.all(
      attached.map((w) =>
        w.call('Runtime.evaluate', { expression: '1' }, 1000).then(
          () => w,
          () => undefined,
        ),
      ),
    );
    const workers = answers.filter((w): w is InspectorSession => w !== undefined);
    const heapsUsed = async (): Promise<number> => (await Promise.all(workers.map((w) => memoryUsageOf(w, timeoutMs)))).reduce((n, m) => n + m.heapUsed, 0);
    const before = await heapsUsed();
    for (const w of workers) await collectInWorker(w, timeoutMs);
    const after = await heapsUsed();
    const everyThread = await memoryUsageOf(session, timeoutMs);
    return { mainThread, everyThread, workerThreads: workers.length, unreachableThreads: attached.length - workers.length, workerHeapUsed: { before, after } };
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
