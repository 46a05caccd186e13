import type { Group } from './frames.js';
import type { PresenceChange } from './presence-graph.js';

export interface PresenceDiff {
  readonly online: readonly string[];
  readonly offline: readonly string[];
}

export interface WindowTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: WindowTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Touched {
  /** Seen online when the window opened. */
  readonly initial: boolean;
  current: boolean;
  username: string;
}

/**
 * Batches presence changes per group into one diff per window: the first change opens a window
 * of `windowMs`, its end hands every group's net diff to `onFlush` (a user who went offline and
 * back within it is not in it). The window's start is remembered, so a socket that joins during
 * a window is given the state at that start, and the window's diff brings it up to date.
 */
export class PresenceCoalescer {
  private windows = new Map<Group, Map<string, Touched>>();
  private timer: unknown;

  constructor(
    private readonly windowMs: number,
    private readonly onFlush: (diffs: ReadonlyMap<Group, PresenceDiff>) => void,
    private readonly timers: WindowTimers = realTimers,
  ) {}

  record(c: PresenceChange): void {
    if (c.before === c.after) return;
    const window = this.windows.get(c.group) ?? new Map<string, Touched>();
    this.windows.set(c.group, window);
    const touched = window.get(c.userId);
    if (touched === undefined) window.set(c.userId, { initial: c.before, current: c.after, username: c.username });
    else {
      touched.current = c.after;
      touched.username = c.username;
    }
    this.timer ??= this.timers.set(() => this.flush(), this.windowMs);
  }

  /** A window is open (a change waits to be sent). */
  get open(): boolean {
    return this.timer !== undefined;
  }

  /** The usernames `group` saw online when the current window opened, given those it sees `now` (id → username), sorted. */
  windowStart(group: Group, now: ReadonlyMap<string, string>): readonly string[] {
    const window = this.windows.get(group);
    const online = new Map(now);
    for (const [id, t] of window ?? []) {
      if (t.initial) online.set(id, t.username);
      else online.delete(id);
    }
    return [...online.values()].filter((name) => name !== '').sort();
  }

  /** Ends the window now: every group's net diff, groups whose changes cancelled out left out. */
  flush(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    const windows = this.windows;
    this.windows = new Map();
    const diffs = new Map<Group, PresenceDiff>();
    for (const [group, window] of windows) {
      const online: string[] = [];
      const offline: string[] = [];
      for (const t of window.values()) {
        if (t.current === t.initial || t.username === '') continue;
        (t.current ? online : offline).push(t.username);
      }
      if (online.length + offline.length > 0) diffs.set(group, { online: online.sort(), offline: offline.sort() });
    }
    this.onFlush(diffs);
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
