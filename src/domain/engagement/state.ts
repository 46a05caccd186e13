import { List } from 'immutable';
import type { EngagementRole } from './events.js';

/** The invitation a user is engaged by, as far as their own stream knows. */
export interface EngagementPointer {
  readonly inviteId: string;
  readonly role: EngagementRole;
  readonly at: string;
  readonly holdUntil: string;
}

/**
 * One user's engagement, on `engagement-{userId}`: a pointer to one invitation (whose own stream
 * says whether it is pending, in game or over) and the user's recent send times (rate limit).
 * Both are bounded: one pointer, at most RECENT_INVITES_KEPT times, none older than the window.
 */
export interface Engagement {
  readonly pointer: EngagementPointer | undefined;
  readonly recentInvites: List<{ readonly inviteId: string; readonly at: string }>;
}

export const initialEngagement: Engagement = { pointer: undefined, recentInvites: List() };

/** How many send times are kept per sender: more than any sane rate limit's burst. */
export const RECENT_INVITES_KEPT = 50;
