import type { Decider } from '../shared/decider.js';
import type { PresenceCommand } from './commands.js';
import { decidePresence } from './decide.js';
import { presenceEvents, type PresenceEvent } from './events.js';
import { evolvePresence } from './evolve.js';
import { initialPresence, type PresenceState } from './state.js';

export const presenceDecider: Decider<PresenceCommand, PresenceState, PresenceEvent> = {
  events: presenceEvents,
  initialState: initialPresence,
  decide: decidePresence,
  evolve: evolvePresence,
  sizeOf: (s) => 200 + s.connections.size * 160,
};

export const presenceStream = (userId: string): string => `presence-${userId}`;
