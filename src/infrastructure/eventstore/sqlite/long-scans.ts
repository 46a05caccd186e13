/**
 * Watches for the log being read whole and in order, and drops the file from the page cache
 * after such a scan: a read in order leaves the file cached in large folios, and then each page
 * a checkpoint writes costs a whole folio of I/O (page-cache.ts). Rebuilds, a projection
 * catching up from the start, export and replay all read that way; live reads of a few new
 * events and filtered reads (through the type index, not every page) do not.
 *
 * A scan is a run of reads, each starting where the one before it ended. It counts once it
 * covers `threshold` positions, and the drop waits until it reaches the log's end (nothing it
 * would read next is thrown away) or the store closes (a scan that stopped early: audit at a
 * point in time).
 */
export class LongScans {
  /** Runs under way: the position each would continue from → the positions it has covered. */
  private readonly runs = new Map<number, number>();
  private dropping: Promise<unknown> | undefined;
  /** A scan ended while a drop was under way: its pages may have come in after that drop began. */
  private dropAgain = false;

  /** `threshold` positions make a scan long; 0 never drops. */
  constructor(
    private readonly threshold: number,
    private readonly drop: () => Promise<unknown>,
  ) {}

  /** A read covered the positions after `after` up to `to`; `reachedEnd` when there were no more. */
  read(after: number, to: number, reachedEnd: boolean): void {
    if (this.threshold <= 0) return;
    const covered = (this.runs.get(after) ?? 0) + Math.max(0, to - after);
    this.runs.delete(after);
    if (reachedEnd) {
      if (covered >= this.threshold) void this.dropOnce();
      return;
    }
    this.runs.set(to, covered);
    // Readers that stop without reaching the end leave their runs behind; keep the newest few.
    if (this.runs.size > 64) this.runs.delete(this.runs.keys().next().value ?? to);
  }

  /** At close: drops after a long scan that did not reach the end, and waits for any drop under way. */
  async settle(): Promise<void> {
    if ([...this.runs.values()].some((covered) => covered >= this.threshold)) void this.dropOnce();
    this.runs.clear();
    await this.dropping;
  }

  private dropOnce(): void {
    if (this.dropping !== undefined) {
      this.dropAgain = true;
      return;
    }
    this.dropping = this.drop()
      .catch(() => undefined)
      .then(() => {
        this.dropping = undefined;
        if (!this.dropAgain) return;
        this.dropAgain = false;
        this.dropOnce();
        return this.dropping;
      });
  }
}
