import { Worker } from 'node:worker_threads';
import type { AppendRequest, GroupWrite } from './append-writer.js';
import { fromWire, fromWireError, type WriterConfig, type WriterReply, type WriterRequest } from './writer-protocol.js';

interface InFlight {
  readonly resolve: (write: GroupWrite) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Sends groups of appends to the writer thread (append-worker.ts) and resolves each with what
 * was committed. The thread keeps the process alive only while a group is in flight.
 */
export class WorkerGroupWriter {
  private readonly worker: Worker;
  private readonly inFlight = new Map<number, InFlight>();
  private seq = 0;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(config: WriterConfig) {
    this.worker = new Worker(new URL('./append-worker.js', import.meta.url), { workerData: config });
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => this.settle(reply));
    this.worker.on('error', (e) => this.fail(e));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.once('exit', (code) => this.fail(new Error(`SQLite writer thread exited (code ${code})`)));
  }

  write(requests: readonly AppendRequest[]): Promise<GroupWrite> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise<GroupWrite>((resolve, reject) => {
      this.inFlight.set(seq, { resolve, reject });
      if (this.inFlight.size === 1) this.worker.ref();
      this.post({ kind: 'write', seq, requests });
    });
  }

  /** Closes the thread's connection and waits for the thread to end; call once nothing is in flight. */
  async close(): Promise<void> {
    if (this.failure === undefined) this.post({ kind: 'close' });
    this.worker.ref();
    await this.exited;
  }

  private post(message: WriterRequest): void {
    this.worker.postMessage(message);
  }

  private settle(reply: WriterReply): void {
    const waiting = this.inFlight.get(reply.seq);
    if (waiting === undefined) return;
    this.inFlight.delete(reply.seq);
    if (this.inFlight.size === 0) this.worker.unref();
    if (reply.ok) waiting.resolve(fromWire(reply.write));
    else waiting.reject(fromWireError(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.inFlight.values()) waiting.reject(this.failure);
    this.inFlight.clear();
  }
}
