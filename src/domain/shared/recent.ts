/** Entries per page: an update copies one page (two once full), a lookup reads every page. */
const PAGE = 50;

/**
 * The last `limit` entries set, by key, oldest first, immutable. Kept as pages of plain maps
 * rather than a persistent ordered map: rebuilding a full window from a snapshot's pairs is a
 * few native Map constructions instead of a thousand persistent insertions, which is what a
 * chat's first command after a restart waits for.
 */
export class Recent<V> {
  private constructor(
    readonly limit: number,
    private readonly pages: readonly ReadonlyMap<string, V>[],
    readonly size: number,
  ) {}

  static empty<V>(limit: number): Recent<V> {
    return new Recent<V>(limit, [], 0);
  }

  /** From pairs oldest first (a snapshot's); past `limit`, only the newest are kept. */
  static of<V>(limit: number, pairs: readonly (readonly [string, V])[]): Recent<V> {
    const kept = pairs.length > limit ? pairs.slice(pairs.length - limit) : pairs;
    const pages: ReadonlyMap<string, V>[] = [];
    for (let i = 0; i < kept.length; i += PAGE) pages.push(new Map(kept.slice(i, i + PAGE)));
    const recent = new Recent(
      limit,
      pages,
      pages.reduce((n, p) => n + p.size, 0),
    );
    // A key repeated across pages (never written so, but pairs come from outside): rebuilt one by one.
    return recent.size === new Set(kept.map(([k]) => k)).size ? recent : kept.reduce((r, [k, v]) => r.set(k, v), Recent.empty<V>(limit));
  }

  get(key: string): V | undefined {
    for (let i = this.pages.length - 1; i >= 0; i--) {
      const value = this.pages[i]?.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** `key` as the newest entry (moved there if it was older), forgetting the oldest past the limit. */
  set(key: string, value: V): Recent<V> {
    let pages = [...this.pages];
    let size = this.size;
    const at = pages.findIndex((p) => p.has(key));
    if (at >= 0) {
      pages[at] = without(pages[at] ?? new Map<string, V>(), key);
      size--;
    }
    const last = pages[pages.length - 1];
    if (last === undefined || last.size >= PAGE) pages.push(new Map([[key, value]]));
    else pages[pages.length - 1] = new Map(last).set(key, value);
    size++;
    while (size > this.limit && pages[0] !== undefined) {
      const oldest: ReadonlyMap<string, V> = pages[0];
      const first = oldest.keys().next();
      pages[0] = first.done === true ? oldest : without(oldest, first.value);
      size--;
      if (pages[0].size === 0) pages = pages.slice(1);
    }
    return new Recent(
      this.limit,
      pages.filter((p) => p.size > 0),
      size,
    );
  }

  /** Oldest first. */
  *entries(): IterableIterator<[string, V]> {
    for (const page of this.pages) yield* page.entries();
  }

  *keys(): IterableIterator<string> {
    for (const page of this.pages) yield* page.keys();
  }
}

const without = <V>(page: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> => {
  const next = new Map(page);
  next.delete(key);
  return next;
};
