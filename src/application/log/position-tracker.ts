import { comparePositions } from '../ports/position.js';
import type { Position } from '../ports/event-store.js';

interface Waiter {
  readonly target: Position;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/** Tracks how far a consumer of the log has got, and lets callers wait for a position (read-your-writes). */
export class PositionTracker {
  private current: Position | undefined;
  private waiters: Waiter[] = [];
  private readonly demandListeners = new Set<() => void>();

  get position(): Position | undefined {
    return this.current;
  }

  reached(target: Position): boolean {
    return this.current !== undefined && comparePositions(this.current, target) >= 0;
  }

  advance(to: Position): void {
    if (this.current !== undefined && comparePositions(to, this.current) <= 0) return;
    this.current = to;
    this.wake(to);
  }

  /**
   * Moves to `to` even backwards: when the consumer starts over on other data (a new read-model
   * generation whose checkpoint is behind), "caught up" must not keep answering for the old one.
   */
  reset(to: Position | undefined): void {
    this.current = to;
    if (to !== undefined) this.wake(to);
  }

  private wake(to: Position): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (comparePositions(to, w.target) >= 0) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves true once `target` is reached, false after `timeoutMs`. */
  waitFor(target: Position, timeoutMs: number): Promise<boolean> {
    if (this.reached(target)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        target,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
      for (const listener of [...this.demandListeners]) listener();
    });
  }

  /**
   * Calls `listener` whenever someone starts waiting for a position not yet reached, so that a
   * consumer that delays its work to batch it can stop delaying. Returns the unsubscribe.
   */
  onDemand(listener: () => void): () => void {
    this.demandListeners.add(listener);
    return () => this.demandListeners.delete(listener);
  }

  /** True while someone waits for a position not yet reached. */
  get demanded(): boolean {
    return this.waiters.length > 0;
  }
}
