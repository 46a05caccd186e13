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
 * Queues appends and writes them a group per transaction, one transaction at a time: the
 * appends issued during one turn of the event loop, or while the previous group was being
 * committed (fsync included), share the next commit. A lone append waits only for the current
 * turn to end, never for a timer.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private writing: Promise<void> | undefined;
  private counters = { transactions: 0, appends: 0, events: 0, maxGroupSize: 0 };

  constructor(
    private readonly write: (requests: readonly AppendRequest[]) => Promise<GroupWrite>,
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
      if (!this.scheduled && this.writing === undefined) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Resolves once everything queued so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.writing !== undefined || this.queue.length > 0) {
      this.pump();
      await this.writing;
    }
  }

  /** Starts the next group unless one is being written; a finished group starts the next. */
  private pump(): void {
    if (this.writing !== undefined || this.queue.length === 0) return;
    const group = this.queue.slice(0, this.maxGroupSize);
    this.queue = this.queue.slice(group.length);
    this.writing = this.writeOne(group).finally(() => {
      this.writing = undefined;
      this.pump();
    });
  }

  private async writeOne(group: readonly Pending[]): Promise<void> {
    this.counters.transactions += 1;
    let written: GroupWrite;
    try {
      written = await this.write(group.map(({ streamId, events, expected }) => ({ streamId, events, expected })));
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const p of group) p.reject(error);
      return;
    }
    this.counters.appends += group.length;
    this.counters.events += written.inserted.length;
    this.counters.maxGroupSize = Math.max(this.counters.maxGroupSize, group.length);
    // Only after the commit: a subscriber is never shown an event that is not durably stored.
    if (written.inserted.length > 0) this.onCommitted(written.inserted);
    group.forEach((p, i) => {
      const outcome = written.outcomes[i];
      if (outcome === undefined) p.reject(new Error('group commit: missing outcome'));
      else if (outcome.ok) p.resolve(outcome.result);
      else p.reject(outcome.error);
    });
  }
}
