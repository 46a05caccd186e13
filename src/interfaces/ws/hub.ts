import { reaches, type Delivery, type Group } from '../../application/broadcast/frames.js';
import type { DeliverySink } from '../../application/broadcast/broadcaster.js';
import type { ClientSocket } from './client-socket.js';

/** This node's sockets by group and by user. Groups are local: every node's broadcaster fills its own. */
export class Hub implements DeliverySink {
  private readonly groups = new Map<Group, Set<ClientSocket>>();
  private readonly byUser = new Map<string, Set<ClientSocket>>();

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

  deliver(d: Delivery): void {
    if (d.kind === 'join') {
      for (const socket of this.socketsOf(d.userId)) this.join(socket, d.group);
      return;
    }
    const members = this.groups.get(d.group);
    if (members === undefined) return;
    // Serialise once per delivery, not once per socket.
    const text = JSON.stringify(d.frame);
    for (const socket of members) {
      if (!reaches(d, socket.userId)) continue;
      socket.push(d.frame, text);
    }
  }
}
