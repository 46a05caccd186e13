import { parentPort, Worker } from 'node:worker_threads';

/**
 * Request/reply with a worker thread that owns a resource (an SQLite write connection): the
 * thread answers requests one at a time, in order; the caller's side keeps the process alive
 * only while a request is in flight.
 */

/** Errors cross the thread boundary as name and message (structured clone drops the rest). */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

type Request<B> = { readonly seq: number; readonly body: B } | { readonly seq: number; readonly close: true };

type Reply<R> = { readonly seq: number; readonly ok: true; readonly value: R | undefined } | { readonly seq: number; readonly ok: false; readonly error: WireError };

export const toWireError = (e: unknown): WireError => {
  const error = e instanceof Error ? e : new Error(String(e));
  return { name: error.name, message: error.message };
};

export const fromWireError = (e: WireError): Error => {
  const error = e.name === 'TypeError' ? new TypeError(e.message) : e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  if (error.name !== e.name) error.name = e.name;
  return error;
};

/** In the worker: answers each request with `handle(body)`; on close, `onClose()` and the thread ends. */
export const serveRequests = <B, R>(handle: (body: B) => R, onClose: () => void): void => {
  const port = parentPort;
  if (port === null) throw new Error('serveRequests must run in a worker thread');
  port.on('message', (message: Request<B>) => {
    const closing = 'close' in message;
    let reply: Reply<R>;
    try {
      if ('close' in message) {
        onClose();
        reply = { seq: message.seq, ok: true, value: undefined };
      } else {
        reply = { seq: message.seq, ok: true, value: handle(message.body) };
      }
    } catch (e) {
      reply = { seq: message.seq, ok: false, error: toWireError(e) };
    }
    port.postMessage(reply);
    if (closing) port.close();
  });
};

interface Waiting<R> {
  readonly resolve: (value: R | undefined) => void;
  readonly reject: (error: Error) => void;
}

/** On the caller's side. Once the thread has failed or exited, every request rejects with that fault. */
export class WriterThread<B, R> {
  private readonly worker: Worker;
  private readonly inFlight = new Map<number, Waiting<R>>();
  private seq = 0;
  private failure: Error | undefined;
  private closing = false;
  private readonly exited: Promise<void>;

  constructor(script: URL, workerData: unknown, what: string) {
    this.worker = new Worker(script, { workerData });
    this.worker.unref();
    this.worker.on('message', (reply: Reply<R>) => this.settle(reply));
    this.worker.on('error', (e) => this.fail(e));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.once('exit', (code) => this.fail(new Error(`${what} thread exited (code ${code})`)));
  }

  /** Resolves with the thread's answer; the body must survive structured clone. */
  request(body: B): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // Only a close is answered without a value.
      this.send((seq) => ({ seq, body }), { resolve: (value) => resolve(value as R), reject });
    });
  }

  /** Lets the thread finish what it was asked (its `onClose` included) and waits for it to end. */
  async close(): Promise<void> {
    // Stay referenced until the thread has exited: an unreferenced thread lets the process end
    // while `close()` still waits for the exit, so whatever the caller does next (its error
    // report, its exit code) would never run.
    this.closing = true;
    this.worker.ref();
    if (this.failure === undefined) {
      await new Promise<void>((resolve, reject) => this.send((seq) => ({ seq, close: true }), { resolve: () => resolve(), reject }));
    }
    await this.exited;
  }

  private send(message: (seq: number) => Request<B>, waiting: Waiting<R>): void {
    if (this.failure !== undefined) return waiting.reject(this.failure);
    const seq = ++this.seq;
    this.inFlight.set(seq, waiting);
    if (this.inFlight.size === 1) this.worker.ref();
    this.worker.postMessage(message(seq));
  }

  private settle(reply: Reply<R>): void {
    const waiting = this.inFlight.get(reply.seq);
    if (waiting === undefined) return;
    this.inFlight.delete(reply.seq);
    if (this.inFlight.size === 0 && !this.closing) this.worker.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(fromWireError(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.inFlight.values()) waiting.reject(this.failure);
    this.inFlight.clear();
  }
}
