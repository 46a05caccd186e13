interface Entry {
  readonly size: number;
  readonly drop: () => void;
  /** Read since it was recorded or last given its second chance. */
  used: boolean;
}

/**
 * The node's cache of aggregate states, bounded by the deciders' size estimates, whatever
 * aggregate they belong to. Eviction is second chance: the oldest entry goes, unless it was read
 * since it was recorded, in which case it is unmarked and moved behind the newest. A read only
 * marks its entry; strict LRU reordered the Map on every read (a delete and a set), which cost
 * more than the rest of a cache hit (bench/state-cache.ts). Each aggregate reads and writes its
 * own typed view; the order and the bound are shared.
 */
export class StateCache {
  /** In the order entries were recorded (a Map iterates in insertion order). */
  private readonly order = new Map<string, Entry>();
  /**
   * Where eviction goes on from, kept between evictions: the entries it passed were evicted or
   * moved to the back (all but the newest, kept), so it stays at the front without rescanning the
   * holes they left (a Map's iterator stays valid while entries come and go).
   */
  private hand: Iterator<[string, Entry]> | undefined;
  private total = 0;

  constructor(private readonly budgetBytes: number) {}

  view<V>(): StateCacheView<V> {
    return new StateCacheView<V>(this);
  }

  get bytes(): number {
    return this.total;
  }

  get entries(): number {
    return this.order.size;
  }

  touch(key: string): void {
    const entry = this.order.get(key);
    if (entry !== undefined) entry.used = true;
  }

  record(key: string, size: number, drop: () => void): void {
    this.forget(key);
    this.order.set(key, { size, drop, used: false });
    this.total += size;
    // Ends: each entry met is evicted, or unmarked and moved back (so evicted when met again), or
    // the new one, which stays however big (evicting it would only make the caller read it again).
    while (this.total > this.budgetBytes && this.order.size > 1) {
      const [oldest, entry] = this.advanceHand();
      if (oldest === key) continue;
      if (entry.used) {
        entry.used = false;
        this.order.delete(oldest);
        this.order.set(oldest, entry);
      } else {
        this.forget(oldest);
        entry.drop();
      }
    }
  }

  /** The oldest entry not yet met, the hand moving past it; from the front again after the last. Only called on a non-empty cache. */
  private advanceHand(): [string, Entry] {
    const step = this.hand?.next();
    if (step !== undefined && step.done !== true) return step.value;
    this.hand = this.order.entries();
    const first = this.hand.next();
    if (first.done === true) throw new Error('state cache: no entry to evict');
    return first.value;
  }

  /** Drops the key's state from whichever view holds it. */
  evict(key: string): void {
    const entry = this.order.get(key);
    this.forget(key);
    entry?.drop();
  }

  private forget(key: string): void {
    const entry = this.order.get(key);
    if (entry === undefined) return;
    this.order.delete(key);
    this.total -= entry.size;
  }
}

/** One aggregate's states in the shared cache. */
export class StateCacheView<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly cache: StateCache) {}

  get(key: string): V | undefined {
    const value = this.values.get(key);
    if (value !== undefined) this.cache.touch(key);
    return value;
  }

  set(key: string, value: V, size: number): void {
    this.values.set(key, value);
    this.cache.record(key, size, () => this.values.delete(key));
  }
}
