import { JOB_NAMES, stringField, type OneOffJob } from '../scheduling/job.js';
import type { CommandDeps } from '../shared/deps.js';
import { endGame } from './invitations.js';

/**
 * Run at the game's `endsAt`: the players are free for new invitations (a no-op if it already
 * ended). Jobs stored before they carried the inviteId have nothing to append to: such a game
 * stops engaging its players at endsAt anyway.
 */
export const endGameJob = (deps: CommandDeps): OneOffJob => ({
  name: JOB_NAMES.endGame,
  run: async (data, ctx) => {
    const gameId = stringField(data, 'gameId');
    if (gameId === undefined) throw new Error(`${JOB_NAMES.endGame}: job data has no gameId`);
    await endGame(deps, stringField(data, 'inviteId'), gameId, ctx.correlationId);
  },
});
