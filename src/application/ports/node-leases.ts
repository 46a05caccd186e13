/**
 * Node leases: each node keeps renewing its own lease; a node whose lease lapsed is dead (crashed,
 * killed, partitioned) and the connections it held are closed out by the other nodes. Times are
 * absolute instants so that every node compares them against its own clock only once per check.
 */
export interface NodeLeases {
  /** Creates or extends `nodeId`'s lease to `until`. */
  renew(nodeId: string, until: Date): Promise<void>;
  /** Nodes whose lease ended before `now`. */
  lapsed(now: Date): Promise<readonly string[]>;
  /**
   * Drops `nodeId`'s lease. With `lapsedAt`, only if it is still lapsed at that instant, so a
   * node that renewed between `lapsed` and `forget` (a long pause, not a death) keeps its lease.
   */
  forget(nodeId: string, lapsedAt?: Date): Promise<void>;
  close(): Promise<void>;
}
