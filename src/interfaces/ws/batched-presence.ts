import type { Group } from '../../application/broadcast/delivery.js';
import { PresenceCoalescer, type PresenceDiff, type PresenceWindow, type WindowTimers } from '../../application/presence/presence-coalescer.js';
import type { PresenceChange, PresenceGraph } from '../../application/presence/presence-graph.js';
import { frameOf } from '../../application/wire/server-frames.js';
import type { ClientSocket } from './client-socket.js';
import { serialised, type SerialisedFrame } from './serialised-frame.js';

/**
 * `?presence=batched` sockets: one `presence_state` at set-up, then at most one `presence_diff`
 * per window of their group, instead of a frame per change.
 */
export class BatchedPresence {
  private readonly coalescer: PresenceCoalescer;
  /**
   * The `presence_state` per scope group, serialised once per window: one given during a window
   * may be behind the changes recorded since, which the window's `touched` diff brings it up to.
   */
  private states = new Map<Group, SerialisedFrame>();
  /** Batched sockets given their state while the current window was open: they get its `touched` diff. */
  private fresh = new Set<ClientSocket>();

  constructor(
    private readonly presence: PresenceGraph,
    /** The hub's sockets in a group, at the time of the call. */
    private readonly membersOf: (group: Group) => Iterable<ClientSocket>,
    windowMs: number,
    fanoutPerSecond: number,
    timers?: WindowTimers,
  ) {
    this.coalescer = new PresenceCoalescer(
      (group) => Math.max(windowMs, Math.ceil((this.batchedIn(group) / fanoutPerSecond) * 1000)),
      (diffs) => this.sendDiffs(diffs),
      timers,
    );
  }

  changed(changes: readonly PresenceChange[]): void {
    for (const c of changes) {
      // The first change of a window drops the group's state; the next one computed is kept to the
      // window's end, since every socket given it during the window gets the `touched` diff.
      if (!this.coalescer.open) this.states.delete(c.group);
      this.coalescer.record(c);
    }
  }

  private batchedIn(group: Group): number {
    let n = 0;
    for (const socket of this.membersOf(group)) if (socket.batchedPresence) n++;
    return n;
  }

  /**
   * The `presence_state` for a batched socket that just joined its groups: who its scope sees
   * online, as of now or of earlier in the open window, whose `touched` diff then brings it up
   * to date. The diffs it gets from then on start from this state.
   */
  stateFor(socket: ClientSocket): SerialisedFrame {
    const group = this.presence.scopeGroupOf(socket.userId);
    let state = this.states.get(group);
    if (state === undefined) {
      const online = [...this.presence.onlineSeenBy(socket.userId).values()].filter((name) => name !== '').sort();
      state = serialised(frameOf('presence_state', { online }));
      this.states.set(group, state);
    }
    if (this.coalescer.open) this.fresh.add(socket);
    return state;
  }

  private sendDiffs(windows: ReadonlyMap<Group, PresenceWindow>): void {
    const fresh = this.fresh;
    this.fresh = new Set();
    this.states = new Map();
    for (const [group, window] of windows) {
      const diffs = new Map<PresenceDiff, SerialisedFrame>();
      for (const socket of this.membersOf(group)) {
        if (!socket.batchedPresence) continue;
        const diff = fresh.has(socket) ? window.touched : window.settled;
        if (diff === undefined) continue;
        let sent = diffs.get(diff);
        if (sent === undefined) {
          sent = serialised(frameOf('presence_diff', { online: diff.online, offline: diff.offline }));
          diffs.set(diff, sent);
        }
        socket.push(sent.frame, sent.text);
      }
    }
  }

  stop(): void {
    this.coalescer.stop();
  }
}
