import { LRUCache } from 'lru-cache';

/**
 * The last revision an event-store instance knows for recently used streams, learnt from its
 * own appends, from reads that reached a stream's end, and from following other processes'
 * appends (the SQLite store polls its file, the EventStoreDB store subscribes to $all). It lets
 * the command path skip the catch-up read of a cached aggregate. A stale entry (another process
 * appended, not yet seen) only makes a decision optimistic: its append then conflicts and is
 * retried on fresh state, and a refusal or no-op is decided again on a fresh read (see
 * aggregate-repository.ts).
 */
export class StreamHeads {
  /** Made on first use: an LRU cache this size costs 20 ms to allocate, which a process that only reads (verify, export) never needs. */
  private cache: LRUCache<string, number> | undefined;

  constructor(private readonly max = 100_000) {}

  private get heads(): LRUCache<string, number> {
    this.cache ??= new LRUCache({ max: this.max });
    return this.cache;
  }

  /** Revision -1 means: the stream does not exist. Never moves an entry back. */
  learn(streamId: string, revision: number): void {
    const known = this.heads.get(streamId);
    if (known === undefined || revision > known) this.heads.set(streamId, revision);
  }

  /** After a read that reached the end of the stream: its last revision is now known exactly. */
  learnEnd(streamId: string, revision: number): void {
    this.heads.set(streamId, revision);
  }

  isCurrent(streamId: string, revision: number): boolean {
    return this.cache?.get(streamId) === revision;
  }
}
