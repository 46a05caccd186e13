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

/** A group's net change over one window: `settled` for sockets that knew the state at its start, `touched` (every user it touched, as they are now) for sockets that joined during it. */
export interface PresenceWindow {
  readonly settled: PresenceDiff | undefined;
  readonly touched: PresenceDiff;
}

const diffOf = (entries: readonly Touched[]): PresenceDiff | undefined => {
  const online: string[] = [];
  const offline: string[] = [];
  for (const t of entries) if (t.username !== '') (t.current ? online : offline).push(t.username);
  return online.length + offline.length === 0 ? undefined : { online: online.sort(), offline: offline.sort() };
};

/**
 * Batches presence changes per group into one diff per window: the first change opens a window
 * of `windowMs`, its end hands every group's net diff to `onFlush`, where a user who went offline
 * and back within the window is not in it. A socket that was given the state in the middle of a
 * window already has part of it: it gets `touched` instead, which brings it to the same state.
 */
export class PresenceCoalescer {
  private windows = new Map<Group, Map<string, Touched>>();
  private timer: unknown;

  constructor(
    private readonly windowMs: number,
    private readonly onFlush: (windows: ReadonlyMap<Group, PresenceWindow>) => void,
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

  /** A window is open: a change waits to be sent. */
  get open(): boolean {
    return this.timer !== undefined;
  }

  /** Ends the window now; groups whose every change cancelled out have no `settled`. */
  flush(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    const windows = this.windows;
    this.windows = new Map();
    const out = new Map<Group, PresenceWindow>();
    for (const [group, window] of windows) {
      const all = [...window.values()];
      const touched = diffOf(all);
      if (touched === undefined) continue;
      out.set(group, { settled: diffOf(all.filter((t) => t.current !== t.initial)), touched });
    }
    this.onFlush(out);
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
