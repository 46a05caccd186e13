import type { Decider, DomainEvent } from '../shared/decider.js';
import { refuse } from '../shared/decision.js';

/**
 * One event per tournament: fanning it out to every known user is the notifications
 * projection's work, so announcing costs one append whatever the number of users.
 */
export type TournamentEvent = DomainEvent<
  'TournamentAnnounced',
  { readonly tournamentId: string; readonly name: string; readonly organizerId: string; readonly at: string }
>;

export interface AnnounceTournament {
  readonly kind: 'AnnounceTournament';
  readonly actorId: string;
  readonly tournamentId: string;
  readonly name: string;
  readonly organizerId: string;
  readonly at: string;
}

export const tournamentDecider: Decider<AnnounceTournament, { readonly announced: boolean }, TournamentEvent> = {
  initialState: { announced: false },
  decide: (c, s) => {
    if (c.actorId !== c.organizerId) return refuse('forbidden', 'organizer_id must be your own id');
    if (s.announced) return refuse('already_announced', 'This tournament was already announced');
    return [{ type: 'TournamentAnnounced', data: { tournamentId: c.tournamentId, name: c.name, organizerId: c.organizerId, at: c.at } }];
  },
  evolve: () => ({ announced: true }),
};

export const tournamentStream = (tournamentId: string): string => `tournament-${tournamentId}`;
