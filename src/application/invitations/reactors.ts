import type { Scheduler } from '../ports/scheduler.js';
import type { Reactor } from '../reactors/reactor.js';
import type { CommandDeps } from '../shared/deps.js';
import { cancelInvitationsOf } from './invitations.js';

/** A user went offline (last socket closed, logged out, swept, or their node died): their pending invitations are withdrawn. */
export const withdrawInvitationsWhenOffline = (deps: CommandDeps): Reactor => ({
  name: 'withdraw-invitations-when-offline',
  eventTypes: ['UserWentOffline'],
  react: async ({ event, recorded }) => {
    // CancelInvitationsOf decides nothing when none is pending: a repeat is harmless.
    if (event.type === 'UserWentOffline') await cancelInvitationsOf(deps, event.data.userId, recorded.metadata.correlationId);
  },
});

/** An invitation expires on its own: its expiry job is scheduled (unique on the invitation). */
export const scheduleInvitationExpiry = (scheduler: Scheduler): Reactor => ({
  name: 'schedule-invitation-expiry',
  eventTypes: ['InvitationSent'],
  react: async ({ event }) => {
    if (event.type === 'InvitationSent') await scheduler.scheduleInvitationExpiry(event.data.inviteId, new Date(event.data.expiresAt));
  },
});

/** An accepted game ends on its own: its end job is scheduled (unique on the game). */
export const scheduleGameEnd = (scheduler: Scheduler): Reactor => ({
  name: 'schedule-game-end',
  eventTypes: ['InvitationAccepted'],
  react: async ({ event }) => {
    if (event.type === 'InvitationAccepted') await scheduler.scheduleGameEnd(event.data.gameId, new Date(event.data.endsAt), event.data.inviteId);
  },
});

/** The invitations' follow-ups: every deadline is a job a reactor schedules; going offline withdraws. */
export const invitationReactors = (deps: CommandDeps, scheduler: Scheduler): readonly Reactor[] => [
  withdrawInvitationsWhenOffline(deps),
  scheduleInvitationExpiry(scheduler),
  scheduleGameEnd(scheduler),
];
