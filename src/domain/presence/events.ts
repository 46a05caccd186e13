import type { DomainEvent } from '../shared/decider.js';

export type OfflineReason = 'disconnected' | 'logout' | 'inactive' | 'node_lost';

export type PresenceEvent =
  | DomainEvent<'ConnectionOpened', { readonly userId: string; readonly connectionId: string; readonly nodeId: string; readonly at: string }>
  | DomainEvent<'ConnectionClosed', { readonly userId: string; readonly connectionId: string; readonly at: string }>
  | DomainEvent<'UserWentOnline', { readonly userId: string; readonly at: string }>
  /** Going offline resets the connection count: sockets still open must act again to count. */
  | DomainEvent<'UserWentOffline', { readonly userId: string; readonly reason: OfflineReason; readonly at: string }>
  | DomainEvent<'ActivityRecorded', { readonly userId: string; readonly at: string }>;
