import { fromRecorded } from '../events/event-serde.js';
import type { CommandDeps } from '../commands/context.js';
import { cancelInvitationsOf } from '../commands/invites.js';
import type { RecordedEvent } from '../ports/event-store.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { Reactor } from './reactor.js';

const domainEvent = (recorded: RecordedEvent) => fromRecorded(recorded);

/** A user went offline (last socket closed, logged out, swept, or their node died): their pending invitations are withdrawn. */
export const withdrawInvitationsWhenOffline = (deps: CommandDeps): Reactor => ({
  name: 'withdraw-invitations-when-offline',
  eventTypes: ['UserWentOffline'],
  react: async (recorded) => {
    const e = domainEvent(recorded);
    if (e?.type !== 'UserWentOffline') return;
    // CancelInvitationsOf decides nothing when none is pending: a repeat is harmless.
    await cancelInvitationsOf(deps, e.data.userId, recorded.metadata.correlationId);
  },
});

/** An invitation expires on its own: its expiry job is scheduled (unique on the invitation). */
export const scheduleInvitationExpiry = (scheduler: Scheduler): Reactor => ({
  name: 'schedule-invitation-expiry',
  eventTypes: ['InvitationSent'],
  react: async (recorded) => {
    const e = domainEvent(recorded);
    if (e?.type === 'InvitationSent') await scheduler.scheduleInvitationExpiry(e.data.inviteId, new Date(e.data.expiresAt));
  },
});

/** An accepted game ends on its own: its end job is scheduled (unique on the game). */
export const scheduleGameEnd = (scheduler: Scheduler): Reactor => ({
  name: 'schedule-game-end',
  eventTypes: ['InvitationAccepted'],
  react: async (recorded) => {
    const e = domainEvent(recorded);
    if (e?.type === 'InvitationAccepted') await scheduler.scheduleGameEnd(e.data.gameId, new Date(e.data.endsAt), e.data.inviteId);
  },
});

/** Every follow-up policy of the service. */
export const policies = (deps: CommandDeps, scheduler: Scheduler): readonly Reactor[] => [
  withdrawInvitationsWhenOffline(deps),
  scheduleInvitationExpiry(scheduler),
  scheduleGameEnd(scheduler),
];
