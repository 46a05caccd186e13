import { blocksStream } from '../../domain/blocks/blocks.js';
import { isRefusal, ok, refuse } from '../../domain/shared/decision.js';
import { tournamentStream } from '../../domain/social/tournament.js';
import { ONLINE_USERS, send } from '../broadcast/delivery.js';
import { metaOf } from '../shared/deps.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
import { erasedMark } from '../broadcast/delivery.js';
import { frameOf } from '../wire/server-frames.js';

/**
 * `new_tournament`: one event whatever the number of users; the users who blocked the organizer,
 * or whom it blocked, are named on it so that frames, resumes and every rebuild leave them out.
 */
const newTournament: ActionHandler<'new_tournament'> = async ({ deps, actor, correlationId }, data) => {
  if (data.organizer_id !== actor.userId) return refuse('forbidden', 'organizer_id must be your own id');
  const [own, blockersOfOrganizer] = await Promise.all([deps.aggregates.blocks.load(blocksStream(actor.userId)), deps.blockers.blockersOf(actor.userId)]);
  const at = deps.now().toISOString();
  const result = await deps.aggregates.tournament.execute(
    tournamentStream(data.tournament_id),
    {
      kind: 'AnnounceTournament',
      actorId: actor.userId,
      tournamentId: data.tournament_id,
      name: data.tournament_name,
      organizerId: data.organizer_id,
      blockedByOrganizer: [...own.state.blocked],
      blockersOfOrganizer,
      at,
    },
    metaOf(actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok({ position: result.position });
};

export const tournaments = {
  actions: { new_tournament: newTournament },
  projections: {
    // Fanned out to every known user by the store, not one write per user in the command path.
    TournamentAnnounced: (e) => {
      const d = e.data;
      return [
        {
          kind: 'AddNotificationForAllUsers',
          exceptUserIds: [d.organizerId, ...d.excludedUserIds],
          notificationId: d.tournamentId,
          action: 'new_tournament',
          data: { tournament_id: d.tournamentId, tournament_name: d.name, organizer_id: d.organizerId },
          date: d.at,
        },
      ];
    },
  },
  frames: {
    TournamentAnnounced: {
      profiles: (e) => [e.data.organizerId],
      deliveries: (e, { position, profile }) => [
        send(
          ONLINE_USERS,
          frameOf(
            'new_tournament',
            {
              tournament_id: e.data.tournamentId,
              tournament_name: e.data.name,
              creator: profile(e.data.organizerId).username,
              ...erasedMark(profile(e.data.organizerId)),
            },
            position,
          ),
          [e.data.organizerId, ...e.data.excludedUserIds],
        ),
      ],
    },
  },
  describe: { TournamentAnnounced: (e, u) => `${u(e.data.organizerId)} announced tournament ${JSON.stringify(e.data.name)}` },
} satisfies Feature;
