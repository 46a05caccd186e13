import { Worker } from 'node:worker_threads';
import type { SliceResult, VerifySlice } from '../../application/ledger/verify-slices.js';

type Answer = { readonly ok: true; readonly result: SliceResult } | { readonly ok: false; readonly message: string };

const isAnswer = (u: unknown): u is Answer => typeof u === 'object' && u !== null && 'ok' in u;

/**
 * A thread's young generation: hashing a million events makes short-lived strings by the
 * gigabyte, and a larger nursery scavenges less often (about a fifth of the CPU time at V8's default).
 */
const YOUNG_GENERATION_MB = 64;

/** How long a thread told to stop may take to close its connections. */
const EXIT_GRACE_MS = 5000;

/** Resolves once the thread ended (it may end before anyone waits: the promise is made with the thread). */
const exitOf = (worker: Worker): Promise<void> => new Promise((resolve) => worker.once('exit', () => resolve()));

/** Its exit, or after EXIT_GRACE_MS its termination. */
const ended = async (worker: Worker, exit: Promise<void>): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(() => void worker.terminate().then(() => resolve()), EXIT_GRACE_MS)));
  await Promise.race([exit, late]);
  clearTimeout(timer);
};

/**
 * Checks the slices on `threads` worker threads (each with its own connections), handing the
 * next slice to whichever thread is free, and yields the results in slice order as they come.
 */
export async function* checkSlicesInThreads(slices: readonly VerifySlice[], threads: number): AsyncGenerator<SliceResult> {
  const settle: { resolve: (r: SliceResult) => void; reject: (e: Error) => void }[] = [];
  const results = slices.map((_, i) => {
    const result = new Promise<SliceResult>((resolve, reject) => (settle[i] = { resolve, reject }));
    // Results after a failure are never awaited: their rejection must not go unhandled.
    result.catch(() => undefined);
    return result;
  });
  const failAll = (e: Error): void => {
    for (const s of settle) s.reject(e);
  };
  let next = 0;
  /** Threads told to stop: their exit is expected. */
  const stopping = new Set<Worker>();
  const handOut = (worker: Worker): void => {
    const i = next++;
    const slice = slices[i];
    if (slice === undefined) {
      stopping.add(worker);
      return worker.postMessage('stop');
    }
    worker.once('message', (answer: unknown) => {
      if (!isAnswer(answer)) settle[i]?.reject(new Error('ledger verify: a thread answered nonsense'));
      else if (answer.ok) settle[i]?.resolve(answer.result);
      else settle[i]?.reject(new Error(answer.message));
      handOut(worker);
    });
    worker.postMessage(slice);
  };
  const workers = Array.from({ length: Math.max(1, Math.min(threads, slices.length)) }, () => {
    const worker = new Worker(new URL('./ledger-verify-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const exit = exitOf(worker);
    worker.on('error', failAll);
    // A thread gone before it was told to stop must not leave its slice (or any after it) waiting.
    void exit.then(() => {
      if (!stopping.has(worker)) failAll(new Error('ledger verify: a thread ended before its work was done'));
    });
    handOut(worker);
    return { worker, exit };
  });
  let done = false;
  try {
    for (const result of results) yield await result;
    done = true;
  } finally {
    await Promise.all(workers.map(({ worker, exit }) => (done ? ended(worker, exit) : worker.terminate())));
  }
}
