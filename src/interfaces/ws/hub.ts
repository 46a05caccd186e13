import { isPresenceFrame, reaches, type Delivery, type Group } from '../../application/broadcast/delivery.js';
import { frameOf, type ServerFrame } from '../../application/wire/server-frames.js';
import type { DeliverySink } from '../../application/broadcast/broadcaster.js';
import { PresenceCoalescer, type PresenceDiff, type PresenceWindow, type WindowTimers } from '../../application/presence/presence-coalescer.js';
import { PresenceGraph, type PresenceChange } from '../../application/presence/presence-graph.js';
import type { ClientSocket } from './client-socket.js';

export interface HubOptions {
  /** The broadcaster's presence graph (scope, who is online). */
  readonly presence?: PresenceGraph;
  /** `PRESENCE_COALESCE_MS`: the shortest window; one `presence_diff` per window at most. */
  readonly coalesceMs?: number;
  /** `PRESENCE_FANOUT_PER_SECOND`: the `presence_diff` frames per second one group's windows may cost; a bigger group gets longer windows. */
  readonly fanoutPerSecond?: number;
  readonly timers?: WindowTimers;
}

/** A frame and its text, serialised once for every socket that gets it. */
export interface SerialisedFrame {
  readonly frame: ServerFrame;
  readonly text: string;
}

const serialised = (frame: ServerFrame): SerialisedFrame => ({ frame, text: JSON.stringify(frame) });

/** This node's sockets by group and by user. Groups are local: every node's broadcaster fills its own. */
export class Hub implements DeliverySink {
  private readonly groups = new Map<Group, Set<ClientSocket>>();
  private readonly byUser = new Map<string, Set<ClientSocket>>();
  readonly presence: PresenceGraph;
  private readonly coalescer: PresenceCoalescer;
  /**
   * The `presence_state` per scope group, serialised once per window: one given during a window
   * may be behind the changes recorded since, which the window's `touched` diff brings it up to.
   */
  private states = new Map<Group, SerialisedFrame>();
  /** Batched sockets given their state while the current window was open: they get its `touched` diff. */
  private fresh = new Set<ClientSocket>();

  constructor(o: HubOptions = {}) {
    this.presence = o.presence ?? new PresenceGraph('all');
    const windowMs = o.coalesceMs ?? 1500;
    const fanout = o.fanoutPerSecond ?? 1000;
    this.coalescer = new PresenceCoalescer(
      (group) => Math.max(windowMs, Math.ceil((this.batchedIn(group) / fanout) * 1000)),
      (diffs) => this.sendDiffs(diffs),
      o.timers,
    );
  }

  add(socket: ClientSocket): void {
    if (socket.closed) return;
    const sockets = this.byUser.get(socket.userId) ?? new Set<ClientSocket>();
    sockets.add(socket);
    this.byUser.set(socket.userId, sockets);
  }

  /** A closed socket is never joined: its set-up may still be running when it closes. */
  join(socket: ClientSocket, group: Group): void {
    if (socket.closed) return;
    const members = this.groups.get(group) ?? new Set<ClientSocket>();
    members.add(socket);
    this.groups.set(group, members);
    socket.groups.add(group);
  }

  remove(socket: ClientSocket): void {
    for (const group of socket.groups) {
      const members = this.groups.get(group);
      members?.delete(socket);
      if (members?.size === 0) this.groups.delete(group);
    }
    socket.groups.clear();
    const sockets = this.byUser.get(socket.userId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byUser.delete(socket.userId);
  }

  socketsOf(userId: string): ReadonlySet<ClientSocket> {
    return this.byUser.get(userId) ?? new Set();
  }

  all(): Iterable<ClientSocket> {
    return [...this.byUser.values()].flatMap((s) => [...s]);
  }

  get size(): number {
    let n = 0;
    for (const s of this.byUser.values()) n += s.size;
    return n;
  }

  private lastSent: SerialisedFrame | undefined;

  deliver(d: Delivery): void {
    if (d.kind === 'join') {
      for (const socket of this.socketsOf(d.userId)) this.join(socket, d.group);
      return;
    }
    const members = this.groups.get(d.group);
    if (members === undefined) return;
    // Serialise once per frame, not once per socket (a presence frame goes to each contact's group).
    if (this.lastSent?.frame !== d.frame) this.lastSent = serialised(d.frame);
    const { text } = this.lastSent;
    const presence = isPresenceFrame(d.frame);
    for (const socket of members) {
      if (!reaches(d, socket.userId) || (presence && socket.batchedPresence)) continue;
      socket.push(d.frame, text);
    }
  }

  presenceChanged(changes: readonly PresenceChange[]): void {
    for (const c of changes) {
      // The first change of a window drops the group's state; the next one computed is kept to the
      // window's end, since every socket given it during the window gets the `touched` diff.
      if (!this.coalescer.open) this.states.delete(c.group);
      this.coalescer.record(c);
    }
  }

  private batchedIn(group: Group): number {
    let n = 0;
    for (const socket of this.groups.get(group) ?? []) if (socket.batchedPresence) n++;
    return n;
  }

  /**
   * The `presence_state` for a batched socket that just joined its groups: who its scope sees
   * online, as of now or of earlier in the open window, whose `touched` diff then brings it up
   * to date. The diffs it gets from then on start from this state.
   */
  presenceStateFor(socket: ClientSocket): SerialisedFrame {
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
      const members = this.groups.get(group);
      if (members === undefined) continue;
      const diffs = new Map<PresenceDiff, SerialisedFrame>();
      for (const socket of members) {
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
