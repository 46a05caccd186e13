import { isPresenceFrame, reaches, type Delivery, type Group } from '../../application/broadcast/delivery.js';
import type { DeliverySink } from '../../application/broadcast/broadcaster.js';
import { BlockGraph } from '../../application/blocks/block-graph.js';
import type { WindowTimers } from '../../application/presence/presence-coalescer.js';
import { PresenceGraph, type PresenceChange } from '../../application/presence/presence-graph.js';
import { BatchedPresence } from './batched-presence.js';
import type { ClientSocket } from './client-socket.js';
import { serialised, type SerialisedFrame } from './serialised-frame.js';

export type { SerialisedFrame } from './serialised-frame.js';

export interface HubOptions {
  /** The broadcaster's presence graph (scope, who is online). */
  readonly presence?: PresenceGraph;
  /** The broadcaster's block graph (who blocked whom, for `block_update`). */
  readonly blocks?: BlockGraph;
  /** `PRESENCE_COALESCE_MS`: the shortest window; one `presence_diff` per window at most. */
  readonly coalesceMs?: number;
  /** `PRESENCE_FANOUT_PER_SECOND`: the `presence_diff` frames per second one group's windows may cost; a bigger group gets longer windows. */
  readonly fanoutPerSecond?: number;
  readonly timers?: WindowTimers;
}

/** This node's sockets by group and by user. Groups are local: every node's broadcaster fills its own. */
export class Hub implements DeliverySink {
  private readonly groups = new Map<Group, Set<ClientSocket>>();
  private readonly byUser = new Map<string, Set<ClientSocket>>();
  readonly presence: PresenceGraph;
  readonly blocks: BlockGraph;
  private readonly batched: BatchedPresence;

  constructor(o: HubOptions = {}) {
    this.presence = o.presence ?? new PresenceGraph('all');
    this.blocks = o.blocks ?? new BlockGraph();
    this.batched = new BatchedPresence(this.presence, (group) => this.groups.get(group) ?? [], o.coalesceMs ?? 1500, o.fanoutPerSecond ?? 1000, o.timers);
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
    if (members.has(socket)) return;
    members.add(socket);
    this.groups.set(group, members);
    socket.groups.push(group);
  }

  isMember(socket: ClientSocket, group: Group): boolean {
    return this.groups.get(group)?.has(socket) === true;
  }

  remove(socket: ClientSocket): void {
    for (const group of socket.groups) {
      const members = this.groups.get(group);
      members?.delete(socket);
      if (members?.size === 0) this.groups.delete(group);
    }
    socket.groups.length = 0;
    const sockets = this.byUser.get(socket.userId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byUser.delete(socket.userId);
  }

  socketsOf(userId: string): ReadonlySet<ClientSocket> {
    return this.byUser.get(userId) ?? new Set();
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
    this.batched.changed(changes);
  }

  /** The `presence_state` for a batched socket that just joined its groups (see BatchedPresence.stateFor). */
  presenceStateFor(socket: ClientSocket): SerialisedFrame {
    return this.batched.stateFor(socket);
  }

  stop(): void {
    this.batched.stop();
  }
}
