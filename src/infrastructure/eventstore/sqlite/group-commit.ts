import type { AppendResult } from '../../../application/ports/event-store.js';
import type { AppendRequest, GroupWrite } from './append-writer.js';
import type { EventRow } from './rows.js';

interface Pending extends AppendRequest {
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: Error) => void;
}

export interface GroupCommitStats {
  /** SQLite write transactions committed (or attempted). */
  readonly transactions: number;
  /** append() calls written. */
  readonly appends: number;
  /** Events inserted. */
  readonly events: number;
  /** Largest number of appends written in one transaction. */
  readonly maxGroupSize: number;
}

/**
 * Queues the appends issued during one turn of the event loop and writes them in ONE
 * transaction on setImmediate: better-sqlite3 is synchronous, so concurrent commands would
 * otherwise each pay a commit (an fsync with synchronous=FULL). A lone append waits only for
 * the current turn to end, never for a timer.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private counters = { transactions: 0, appends: 0, events: 0, maxGroupSize: 0 };

  constructor(
    private readonly write: (requests: readonly AppendRequest[]) => GroupWrite,
    private readonly onCommitted: (rows: readonly EventRow[]) => void,
    private readonly maxGroupSize: number,
  ) {}

  get stats(): GroupCommitStats {
    return { ...this.counters };
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(request: AppendRequest): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes everything queued now (synchronously), one transaction per maxGroupSize appends. */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const group = this.queue.slice(0, this.maxGroupSize);
      this.queue = this.queue.slice(group.length);
      this.writeOne(group);
    }
  }

  private writeOne(group: readonly Pending[]): void {
    this.counters.transactions += 1;
    let written: GroupWrite;
    try {
      written = this.write(group);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const p of group) p.reject(error);
      return;
    }
    this.counters.appends += group.length;
    this.counters.events += written.inserted.length;
    this.counters.maxGroupSize = Math.max(this.counters.maxGroupSize, group.length);
    group.forEach((p, i) => {
      const outcome = written.outcomes[i];
      if (outcome === undefined) p.reject(new Error('group commit: missing outcome'));
      else if (outcome.ok) p.resolve(outcome.result);
      else p.reject(outcome.error);
    });
    // Only after the commit: a subscriber is never shown an event that is not durably stored.
    if (written.inserted.length > 0) this.onCommitted(written.inserted);
  }
}
