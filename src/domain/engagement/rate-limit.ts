import { ms } from '../shared/time.js';
import type { Engagement } from './state.js';

export interface InviteRateLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** Invitations a sender may send per window: their own stream's recent send times, inside the window. */
export const overRateLimit = (s: Engagement, limit: InviteRateLimit, at: string): boolean => {
  const since = ms(at) - limit.windowMs;
  return s.recentInvites.count((r) => ms(r.at) > since) >= limit.max;
};
