import { Map as IMap } from 'immutable';
import type { PresenceEvent } from './events.js';
import type { PresenceState } from './state.js';

export const evolvePresence = (s: PresenceState, e: PresenceEvent): PresenceState => {
  switch (e.type) {
    case 'ConnectionOpened':
      // Connecting counts as activity: a fresh tab must not be swept as inactive.
      return { ...s, connections: s.connections.set(e.data.connectionId, e.data.nodeId), lastActivity: e.data.at };
    case 'ConnectionClosed':
      return { ...s, connections: s.connections.delete(e.data.connectionId) };
    case 'UserWentOnline':
      return { ...s, online: true, lastActivity: e.data.at };
    case 'UserWentOffline':
      return { ...s, online: false, connections: IMap() };
    case 'ActivityRecorded':
      return { ...s, lastActivity: e.data.at };
  }
};
