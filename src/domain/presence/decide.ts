import type { Refusal } from '../shared/decision.js';
import { ms } from '../shared/time.js';
import type { PresenceCommand } from './commands.js';
import type { OfflineReason, PresenceEvent } from './events.js';
import type { PresenceState } from './state.js';

type Decision = readonly PresenceEvent[] | Refusal;

/** Counts `connectionId` if it is not counted yet, and brings the user online on 0→1. */
const ensureConnection = (s: PresenceState, userId: string, connectionId: string, nodeId: string, at: string): PresenceEvent[] => {
  if (s.connections.has(connectionId)) return [];
  const opened: PresenceEvent = { type: 'ConnectionOpened', data: { userId, connectionId, nodeId, at } };
  return s.online ? [opened] : [opened, { type: 'UserWentOnline', data: { userId, at } }];
};

const offline = (userId: string, reason: OfflineReason, at: string): PresenceEvent => ({ type: 'UserWentOffline', data: { userId, reason, at } });

export const decidePresence = (c: PresenceCommand, s: PresenceState): Decision => {
  switch (c.kind) {
    case 'OpenConnection':
      return ensureConnection(s, c.userId, c.connectionId, c.nodeId, c.at);
    case 'CloseConnection': {
      if (!s.connections.has(c.connectionId)) return [];
      const closed: PresenceEvent = { type: 'ConnectionClosed', data: { userId: c.userId, connectionId: c.connectionId, at: c.at } };
      return s.connections.size === 1 && s.online ? [closed, offline(c.userId, 'disconnected', c.at)] : [closed];
    }
    case 'RecordActivity': {
      const opened = ensureConnection(s, c.userId, c.connectionId, c.nodeId, c.at);
      const fresh = s.lastActivity !== undefined && ms(c.at) - ms(s.lastActivity) < c.throttleMs;
      return opened.length === 0 && fresh ? [] : [...opened, { type: 'ActivityRecorded', data: { userId: c.userId, at: c.at } }];
    }
    case 'AnnounceOnline': {
      const opened = ensureConnection(s, c.userId, c.connectionId, c.nodeId, c.at);
      const announced = opened.some((e) => e.type === 'UserWentOnline');
      return [
        ...opened,
        { type: 'ActivityRecorded', data: { userId: c.userId, at: c.at } },
        ...(announced ? [] : [{ type: 'UserWentOnline', data: { userId: c.userId, at: c.at } } as const]),
      ];
    }
    case 'AnnounceOffline':
      return s.online ? [offline(c.userId, 'logout', c.at)] : [];
    case 'SweepInactive': {
      if (!s.online) return [];
      const active = s.lastActivity !== undefined && ms(s.lastActivity) >= ms(c.inactiveBefore);
      return active ? [] : [offline(c.userId, 'inactive', c.at)];
    }
    case 'CloseNodeConnections': {
      const lost = s.connections
        .filter((node) => node === c.nodeId)
        .keySeq()
        .toArray();
      if (lost.length === 0) return [];
      const closed = lost.map((connectionId): PresenceEvent => ({ type: 'ConnectionClosed', data: { userId: c.userId, connectionId, at: c.at } }));
      return lost.length === s.connections.size && s.online ? [...closed, offline(c.userId, 'node_lost', c.at)] : closed;
    }
  }
};
