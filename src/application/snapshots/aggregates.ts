import { chatDecider } from '../../domain/chat/chat.js';
import { engagementDecider } from '../../domain/engagement/engagement.js';
import { presenceDecider } from '../../domain/presence/presence.js';
import { chatSnapshot } from './chat-snapshot.js';
import { engagementSnapshot } from './engagement-snapshot.js';
import { presenceSnapshot } from './presence-snapshot.js';

/**
 * The deciders whose streams grow without bound, as the command handlers run them: with their
 * snapshot codecs (io-ts at this edge, so the domain stays free of it). A decider opts in by
 * declaring `snapshot`; the repository does the rest (aggregate-repository.ts).
 */
export const chatAggregate = { ...chatDecider, snapshot: chatSnapshot };
export const presenceAggregate = { ...presenceDecider, snapshot: presenceSnapshot };
export const engagementAggregate = { ...engagementDecider, snapshot: engagementSnapshot };
