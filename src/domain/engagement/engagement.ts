import type { Decider } from '../shared/decider.js';
import type { EngagementCommand } from './commands.js';
import { decideEngagement } from './decide.js';
import { engagementEvents, type EngagementEvent } from './events.js';
import { evolveEngagement } from './evolve.js';
import { initialEngagement, type Engagement } from './state.js';

export const engagementDecider: Decider<EngagementCommand, Engagement, EngagementEvent> = {
  events: engagementEvents,
  initialState: initialEngagement,
  decide: decideEngagement,
  evolve: evolveEngagement,
};

/** One stream per user: which invitation engages them, and their recent send times. */
export const engagementStream = (userId: string): string => `engagement-${userId}`;
