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

type Reply<R> =
  { readonly seq: number; readonly ok: true; readonly value: R | undefined } | { readonly seq: number; readonly ok: false; readonly error: WireError };

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

/**
 * On the caller's side. The thread starts with the first request, so a process that only reads
 * (the audit and verify tools) never pays for one. Once the thread has failed or exited, every
 * request rejects with that fault.
 */
export class WriterThread<B, R> {
  private worker: Worker | undefined;
  private readonly inFlight = new Map<number, Waiting<R>>();
  private seq = 0;
  private failure: Error | undefined;
  private closing = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly script: URL,
    private readonly workerData: unknown,
    private readonly what: string,
  ) {}

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: this.workerData });
    worker.unref();
    worker.on('message', (reply: Reply<R>) => this.settle(reply));
    worker.on('error', (e) => this.fail(e));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.once('exit', (code) => this.fail(new Error(`${this.what} thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
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
    if (this.worker === undefined) {
      // Never started: nothing to finish; later requests fail as after a close.
      this.failure ??= new Error(`${this.what} thread exited (code 0)`);
      return;
    }
    this.worker.ref();
    if (this.failure === undefined) {
      await new Promise<void>((resolve, reject) => this.send((seq) => ({ seq, close: true }), { resolve: () => resolve(), reject }));
    }
    await this.exited;
  }

  private send(message: (seq: number) => Request<B>, waiting: Waiting<R>): void {
    if (this.failure !== undefined) return waiting.reject(this.failure);
    const worker = this.worker ?? this.start();
    const seq = ++this.seq;
    this.inFlight.set(seq, waiting);
    if (this.inFlight.size === 1) worker.ref();
    worker.postMessage(message(seq));
  }

  private settle(reply: Reply<R>): void {
    const waiting = this.inFlight.get(reply.seq);
    if (waiting === undefined) return;
    this.inFlight.delete(reply.seq);
    if (this.inFlight.size === 0 && !this.closing) this.worker?.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(fromWireError(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.inFlight.values()) waiting.reject(this.failure);
    this.inFlight.clear();
  }
}
