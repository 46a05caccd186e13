import { tournamentDecider, type AnnounceTournament, type TournamentEvent } from '../../src/domain/social/tournament.js';
import { at, scenario } from './given-when-then.js';

const ORGANIZER = 'alice-id';
const TOURNAMENT = '7c2e9a1e-3f4b-4d6a-9a0e-2b1c3d4e5f60';

const tournament = scenario(tournamentDecider);

const announce = (overrides: Partial<AnnounceTournament> = {}): AnnounceTournament => ({
  kind: 'AnnounceTournament',
  actorId: ORGANIZER,
  tournamentId: TOURNAMENT,
  name: 'Spring Cup',
  organizerId: ORGANIZER,
  blockedByOrganizer: [],
  blockersOfOrganizer: [],
  at: at(0),
  ...overrides,
});

const announced: TournamentEvent = {
  type: 'TournamentAnnounced',
  data: { tournamentId: TOURNAMENT, name: 'Spring Cup', organizerId: ORGANIZER, excludedUserIds: [], at: at(0) },
};

describe('tournament decider', () => {
  it('announces a tournament', () => {
    tournament.given([]).when(announce()).then([announced]);
  });

  it('excludes both directions of blocks, once each and sorted', () => {
    tournament
      .given([])
      .when(announce({ blockedByOrganizer: ['zed-id', 'bob-id'], blockersOfOrganizer: ['bob-id', 'carol-id'] }))
      .then([{ ...announced, data: { ...announced.data, excludedUserIds: ['bob-id', 'carol-id', 'zed-id'] } }]);
  });

  it('the organizer must be the actor (forbidden)', () => {
    tournament
      .given([])
      .when(announce({ actorId: 'mallory-id' }))
      .thenRefused('forbidden');
  });

  it('announcing twice is refused (already_announced)', () => {
    tournament
      .given([announced])
      .when(announce({ at: at(5) }))
      .thenRefused('already_announced');
  });

  it('replaying the emitted event makes a second announcement refused', () => {
    tournament
      .given([])
      .when(announce())
      .then([announced])
      .when(announce({ at: at(5) }))
      .thenRefused('already_announced');
  });
});
