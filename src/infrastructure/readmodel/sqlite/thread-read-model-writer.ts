import { Worker } from 'node:worker_threads';
import type { PositionedChanges } from '../../../application/ports/read-model.js';
import type { ProjectionGroup } from '../../../application/projections/groups.js';
import { encodeBatch, type ReadModelWriterConfig, type ReadModelWriterReply, type ReadModelWriterRequest } from './writer-thread-protocol.js';

/**
 * Hands read-model writes to the writer thread (read-model-writer-worker.ts), in order, and
 * resolves each once committed. The thread keeps the process alive only while a write is in flight.
 */
export class ThreadReadModelWriter {
  private readonly worker: Worker;
  private readonly inFlight = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(config: ReadModelWriterConfig) {
    this.worker = new Worker(new URL('./read-model-writer-worker.js', import.meta.url), { workerData: config });
    this.worker.unref();
    this.worker.on('message', (reply: ReadModelWriterReply) => this.settle(reply));
    this.worker.on('error', (e) => this.fail(e));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.once('exit', (code) => this.fail(new Error(`SQLite read-model writer thread exited (code ${code})`)));
  }

  apply(projection: string, batch: readonly PositionedChanges[]): Promise<void> {
    return this.send((seq) => ({ kind: 'apply', seq, projection, batch: encodeBatch(batch) }));
  }

  reset(groups: readonly ProjectionGroup[] | undefined): Promise<void> {
    return this.send((seq) => ({ kind: 'reset', seq, groups }));
  }

  /** Ends a bulk load (see SqliteReadModelWriter.close), closes the connection and the thread. */
  async close(): Promise<void> {
    if (this.failure === undefined) {
      await this.send((seq) => ({ kind: 'close', seq }));
    }
    await this.exited;
  }

  private send(request: (seq: number) => ReadModelWriterRequest): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.inFlight.set(seq, { resolve, reject });
      if (this.inFlight.size === 1) this.worker.ref();
      this.worker.postMessage(request(seq));
    });
  }

  private settle(reply: ReadModelWriterReply): void {
    const waiting = this.inFlight.get(reply.seq);
    if (waiting === undefined) return;
    this.inFlight.delete(reply.seq);
    if (this.inFlight.size === 0) this.worker.unref();
    if (reply.ok) waiting.resolve();
    else {
      const error = new Error(reply.error.message);
      error.name = reply.error.name;
      waiting.reject(error);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.inFlight.values()) waiting.reject(this.failure);
    this.inFlight.clear();
  }
}
