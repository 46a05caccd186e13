import type { Group } from '../broadcast/delivery.js';
import type { PresenceChange } from './presence-graph.js';

export interface PresenceDiff {
  readonly online: readonly string[];
  readonly offline: readonly string[];
}

export interface WindowTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

const realTimers: WindowTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

/** However big its groups: the longest a change waits for its diff. */
export const MAX_WINDOW_MS = 60_000;

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
 * How long a window with a change in `group` lasts: at least the configured window, longer for a
 * group so big that a diff every window would cost more frames per second than the budget. A
 * storm lasts longer the more users reconnect, so a fixed window would send each socket more
 * diffs the bigger the storm: with the window growing with the group, it gets about as many.
 */
export type WindowLength = (group: Group) => number;

/**
 * Batches presence changes per group into one diff per window: the first change opens a window,
 * which lasts the longest `WindowLength` of the groups it touched, as they are when it would end
 * (a group that grew meanwhile stretches it, up to MAX_WINDOW_MS); its end hands every group's
 * net diff to `onFlush`, where a user who went offline and back within the window is not in it.
 * A socket that was given the state in the middle of a window already has part of it: it gets
 * `touched` instead, which brings it to the same state.
 */
export class PresenceCoalescer {
  private windows = new Map<Group, Map<string, Touched>>();
  private timer: unknown;
  private openedAt = 0;
  private readonly windowFor: WindowLength;

  constructor(
    window: number | WindowLength,
    private readonly onFlush: (windows: ReadonlyMap<Group, PresenceWindow>) => void,
    private readonly timers: WindowTimers = realTimers,
  ) {
    this.windowFor = typeof window === 'number' ? () => window : window;
  }

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
    if (this.timer === undefined) {
      this.openedAt = this.timers.now();
      this.timer = this.timers.set(() => this.due(), Math.min(this.windowFor(c.group), MAX_WINDOW_MS));
    }
  }

  /** The window's time is up, unless a group it touched has grown into a longer window since. */
  private due(): void {
    let length = 0;
    for (const group of this.windows.keys()) length = Math.max(length, this.windowFor(group));
    const remaining = Math.min(length, MAX_WINDOW_MS) - (this.timers.now() - this.openedAt);
    if (remaining >= 1) this.timer = this.timers.set(() => this.due(), remaining);
    else this.flush();
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
