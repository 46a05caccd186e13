interface Connection {
  readonly userId: string;
  readonly connectionId: string;
  readonly nodeId: string;
  readonly at: string;
}

export type PresenceCommand =
  | ({ readonly kind: 'OpenConnection' } & Connection)
  | { readonly kind: 'CloseConnection'; readonly userId: string; readonly connectionId: string; readonly at: string }
  /** A meaningful action from a connection; recorded at most once per `throttleMs`. */
  | ({ readonly kind: 'RecordActivity'; readonly throttleMs: number } & Connection)
  /** The `user_online` action: refresh activity and announce again. */
  | ({ readonly kind: 'AnnounceOnline' } & Connection)
  /** The `user_offline` action: offline now, as at logout. */
  | { readonly kind: 'AnnounceOffline'; readonly userId: string; readonly at: string }
  /** The inactivity sweep: offline when no activity since `inactiveBefore`. */
  | { readonly kind: 'SweepInactive'; readonly userId: string; readonly inactiveBefore: string; readonly at: string }
  /** A node's lease lapsed: its connections are gone. */
  | { readonly kind: 'CloseNodeConnections'; readonly userId: string; readonly nodeId: string; readonly at: string };
