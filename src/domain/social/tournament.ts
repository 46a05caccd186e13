import * as t from 'io-ts';
import type { Decider } from '../shared/decider.js';
import { refuse } from '../shared/decision.js';
import { defineEvent, EventSet, type EventOf } from '../shared/event.js';

/**
 * One event per tournament: fanning it out to every known user is the notifications
 * projection's work, so announcing costs one append whatever the number of users.
 * `excludedUserIds` are the users the announcement must not reach (they blocked the organizer,
 * or the organizer blocked them), decided when it was announced so that frames, resumes and
 * every rebuild of the notifications agree on them.
 */
export const TournamentAnnounced = defineEvent(
  'TournamentAnnounced',
  t.readonly(t.type({ tournamentId: t.string, name: t.string, organizerId: t.string, excludedUserIds: t.readonlyArray(t.string), at: t.string })),
  /** v1 reached every user but the organizer: blocks were not applied to announcements then. */
  { version: 2, upcasters: { 1: (d) => ({ ...d, excludedUserIds: [] }) } },
);
export const tournamentEvents = EventSet.of(TournamentAnnounced);
export type TournamentEvent = EventOf<(typeof tournamentEvents.specs)[number]>;

export interface AnnounceTournament {
  readonly kind: 'AnnounceTournament';
  readonly actorId: string;
  readonly tournamentId: string;
  readonly name: string;
  readonly organizerId: string;
  /** Whom the organizer blocked (the organizer's block stream). */
  readonly blockedByOrganizer: readonly string[];
  /** Who blocked the organizer (the write-side index of the block streams). */
  readonly blockersOfOrganizer: readonly string[];
  readonly at: string;
}

export const tournamentDecider: Decider<AnnounceTournament, { readonly announced: boolean }, TournamentEvent> = {
  events: tournamentEvents,
  initialState: { announced: false },
  decide: (c, s) => {
    if (c.actorId !== c.organizerId) return refuse('forbidden', 'organizer_id must be your own id');
    if (s.announced) return refuse('already_announced', 'This tournament was already announced');
    const excludedUserIds = [...new Set([...c.blockedByOrganizer, ...c.blockersOfOrganizer])].filter((id) => id !== c.organizerId).sort();
    return [{ type: 'TournamentAnnounced', data: { tournamentId: c.tournamentId, name: c.name, organizerId: c.organizerId, excludedUserIds, at: c.at } }];
  },
  evolve: () => ({ announced: true }),
};

export const tournamentStream = (tournamentId: string): string => `tournament-${tournamentId}`;
