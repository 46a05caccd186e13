import { LRUCache } from 'lru-cache';

/**
 * The last revision this store instance knows for recently used streams, learnt from its own
 * commits, from reads that reached a stream's end, and from polls for other processes' appends.
 * It lets the command path skip the catch-up read of a cached aggregate. A stale entry (another
 * process appended, not yet polled) only makes a decision optimistic: its append then conflicts
 * and is retried on fresh state.
 */
export class StreamHeads {
  private readonly heads: LRUCache<string, number>;

  constructor(max = 100_000) {
    this.heads = new LRUCache({ max });
  }

  /** Revision -1 means: the stream does not exist. */
  learn(streamId: string, revision: number): void {
    const known = this.heads.get(streamId);
    if (known === undefined || revision > known) this.heads.set(streamId, revision);
  }

  /** After a read that reached the end of the stream: its last revision is now known exactly. */
  learnEnd(streamId: string, revision: number): void {
    this.heads.set(streamId, revision);
  }

  isCurrent(streamId: string, revision: number): boolean {
    return this.heads.get(streamId) === revision;
  }
}
