/**
 * The node's cache of aggregate states, bounded by the deciders' size estimates: least recently
 * used first out, whatever aggregate they belong to. Each aggregate reads and writes its own
 * typed view; the order and the bound are shared.
 */
export class StateCache {
  /** Oldest first (a Map iterates in insertion order, and a touch re-inserts). */
  private readonly order = new Map<string, { readonly size: number; readonly drop: () => void }>();
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
    if (entry === undefined) return;
    this.order.delete(key);
    this.order.set(key, entry);
  }

  record(key: string, size: number, drop: () => void): void {
    this.forget(key);
    this.order.set(key, { size, drop });
    this.total += size;
    for (const [oldest, entry] of this.order) {
      // The newest entry stays, however big: evicting it would only make the caller read it again.
      if (this.total <= this.budgetBytes || oldest === key) break;
      this.forget(oldest);
      entry.drop();
    }
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
