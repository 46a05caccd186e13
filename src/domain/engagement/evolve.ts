import { ms } from '../shared/time.js';
import type { EngagementEvent } from './events.js';
import { RECENT_INVITES_KEPT, type Engagement } from './state.js';

export const evolveEngagement = (s: Engagement, e: EngagementEvent): Engagement => {
  switch (e.type) {
    case 'EngagementReserved': {
      const { inviteId, role, at, holdUntil, recentSince } = e.data;
      const since = recentSince === undefined ? undefined : ms(recentSince);
      const recentInvites =
        role === 'inviter'
          ? s.recentInvites
              .filter((r) => since === undefined || ms(r.at) > since)
              .push({ inviteId, at })
              .takeLast(RECENT_INVITES_KEPT)
          : s.recentInvites;
      return { pointer: { inviteId, role, at, holdUntil }, recentInvites };
    }
    case 'EngagementReleased':
      // A released reservation never became an invitation: it does not count towards the rate limit.
      if (s.pointer?.inviteId !== e.data.inviteId) return s;
      return { pointer: undefined, recentInvites: s.recentInvites.filter((r) => r.inviteId !== e.data.inviteId) };
  }
};
