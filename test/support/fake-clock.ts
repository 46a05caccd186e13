import type { WindowTimers } from '../../src/application/presence/presence-coalescer.js';

/** A clock the test moves by hand: timers fire only in `advance`. */
export class FakeClock implements WindowTimers {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  set(fn: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clear(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  now(): number {
    return this.time;
  }
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.time += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) return;
      this.clear(due.id);
      const time = this.time;
      this.time = due.at;
      due.fn();
      this.time = time;
    }
  }
}
