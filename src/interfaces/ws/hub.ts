import { isPresenceFrame, reaches, type Delivery, type Frame, type Group } from '../../application/broadcast/frames.js';
import type { DeliverySink } from '../../application/broadcast/broadcaster.js';
import { PresenceCoalescer, type PresenceDiff, type WindowTimers } from '../../application/broadcast/presence-coalescer.js';
import { PresenceGraph, type PresenceChange } from '../../application/broadcast/presence-graph.js';
import type { ClientSocket } from './client-socket.js';

export interface HubOptions {
  /** The broadcaster's presence graph (scope, who is online). */
  readonly presence?: PresenceGraph;
  /** `PRESENCE_COALESCE_MS`: one `presence_diff` per window at most. */
  readonly coalesceMs?: number;
  readonly timers?: WindowTimers;
}

/** A frame and its text, serialised once for every socket that gets it. */
export interface SerialisedFrame {
  readonly frame: Frame;
  readonly text: string;
}

const serialised = (frame: Frame): SerialisedFrame => ({ frame, text: JSON.stringify(frame) });

/** This node's sockets by group and by user. Groups are local: every node's broadcaster fills its own. */
export class Hub implements DeliverySink {
  private readonly groups = new Map<Group, Set<ClientSocket>>();
  private readonly byUser = new Map<string, Set<ClientSocket>>();
  readonly presence: PresenceGraph;
  private readonly coalescer: PresenceCoalescer;
  /** `presence_state` per scope group for the current window (the state at its start), serialised once. */
  private readonly states = new Map<Group, SerialisedFrame>();

  constructor(o: HubOptions = {}) {
    this.presence = o.presence ?? new PresenceGraph('all');
    this.coalescer = new PresenceCoalescer(o.coalesceMs ?? 1500, (diffs) => this.sendDiffs(diffs), o.timers);
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
    for (const c of changes) this.coalescer.record(c);
  }

  /**
   * The `presence_state` for a batched socket that just joined its groups: who its scope saw
   * online when the current window opened; the window's `presence_diff` brings it up to date.
   */
  presenceStateFor(socket: ClientSocket): SerialisedFrame {
    const group = this.presence.scopeGroupOf(socket.userId);
    let state = this.states.get(group);
    if (state === undefined) {
      const online = this.coalescer.windowStart(group, this.presence.onlineSeenBy(socket.userId));
      state = serialised({ action: 'presence_state', data: { online } });
      this.states.set(group, state);
    }
    return state;
  }

  private sendDiffs(diffs: ReadonlyMap<Group, PresenceDiff>): void {
    this.states.clear();
    for (const [group, diff] of diffs) {
      const members = this.groups.get(group);
      if (members === undefined) continue;
      let sent: SerialisedFrame | undefined;
      for (const socket of members) {
        if (!socket.batchedPresence) continue;
        sent ??= serialised({ action: 'presence_diff', data: { online: diff.online, offline: diff.offline } });
        socket.push(sent.frame, sent.text);
      }
    }
  }

  stop(): void {
    this.coalescer.stop();
  }
}
