import { refuse, type Refusal, type RefusalCode } from '../shared/decision.js';
import { addMs } from '../shared/time.js';
import type { EngagementCommand } from './commands.js';
import { engagedBy, type PointedInvitation } from './engaged.js';
import type { EngagementEvent, EngagementRole } from './events.js';
import { overRateLimit, type InviteRateLimit } from './rate-limit.js';
import type { Engagement } from './state.js';

type Decision = readonly EngagementEvent[] | Refusal;

/**
 * Internal refusals, never sent to a client: the fact on the command no longer matches the
 * stream (retry with a fresh fact), or the pointed invitation must be abandoned first.
 */
export const STALE_FACT = 'engagement_fact_stale' satisfies RefusalCode;
export const UNCONFIRMED = 'engagement_unconfirmed' satisfies RefusalCode;

const who = (role: EngagementRole) => (role === 'inviter' ? 'You are' : 'This user is');

/** Whether `s` (its pointer's invitation being `pointed`) may take part in a new invitation in `role`. */
export const engagementRefusal = (
  s: Engagement,
  pointed: PointedInvitation | undefined,
  role: EngagementRole,
  at: string,
  rateLimit: InviteRateLimit,
): Refusal | undefined => {
  if (s.pointer !== undefined && pointed?.inviteId !== s.pointer.inviteId) return refuse(STALE_FACT, 'The engagement changed meanwhile');
  const engaged = engagedBy(s.pointer, pointed?.invitation, at);
  if (engaged === 'game') return refuse('already_in_game', `${who(role)} already in a game`);
  if (engaged === 'invitation') return refuse('invitation_pending', `${who(role)} already part of a pending invitation`);
  if (engaged === 'unconfirmed') return refuse(UNCONFIRMED, 'An unconfirmed invitation must be abandoned first');
  if (role === 'inviter' && overRateLimit(s, rateLimit, at)) return refuse('rate_limited', 'Too many invitations: wait a moment');
  return undefined;
};

export const decideEngagement = (c: EngagementCommand, s: Engagement): Decision => {
  switch (c.kind) {
    case 'ReserveEngagement': {
      if (s.pointer?.inviteId === c.inviteId) return [];
      const refusal = engagementRefusal(s, c.pointed, c.role, c.at, c.rateLimit);
      if (refusal !== undefined) return refusal;
      return [
        {
          type: 'EngagementReserved',
          data: {
            userId: c.userId,
            inviteId: c.inviteId,
            role: c.role,
            at: c.at,
            holdUntil: addMs(c.at, c.holdMs),
            ...(c.role === 'inviter' ? { recentSince: addMs(c.at, -c.rateLimit.windowMs) } : {}),
          },
        },
      ];
    }
    case 'ReleaseEngagement':
      return s.pointer?.inviteId === c.inviteId ? [{ type: 'EngagementReleased', data: { userId: c.userId, inviteId: c.inviteId, at: c.at } }] : [];
  }
};
