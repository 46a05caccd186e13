import * as t from 'io-ts';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

export const OfflineReasonCodec = t.keyof({ disconnected: null, logout: null, inactive: null, node_lost: null });
export type OfflineReason = t.TypeOf<typeof OfflineReasonCodec>;

export const ConnectionOpened = defineEvent(
  'ConnectionOpened',
  t.readonly(t.type({ userId: t.string, connectionId: t.string, nodeId: t.string, at: t.string })),
);
export const ConnectionClosed = defineEvent('ConnectionClosed', t.readonly(t.type({ userId: t.string, connectionId: t.string, at: t.string })));
export const UserWentOnline = defineEvent('UserWentOnline', t.readonly(t.type({ userId: t.string, at: t.string })));
/** Going offline resets the connection count: sockets still open must act again to count. */
export const UserWentOffline = defineEvent('UserWentOffline', t.readonly(t.type({ userId: t.string, reason: OfflineReasonCodec, at: t.string })));
export const ActivityRecorded = defineEvent('ActivityRecorded', t.readonly(t.type({ userId: t.string, at: t.string })));

export const presenceEvents = EventSet.of(ConnectionOpened).and(ConnectionClosed).and(UserWentOnline).and(UserWentOffline).and(ActivityRecorded);
export type PresenceEvent = EventOf<(typeof presenceEvents.specs)[number]>;
