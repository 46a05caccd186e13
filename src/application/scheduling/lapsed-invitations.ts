import type { CommandDeps } from '../commands/context.js';
import { endGame, expireInvitation } from '../commands/invites.js';
import { INVITES_STREAM, inviteDecider } from '../../domain/invite/invite.js';
import { ms } from '../../domain/shared/time.js';

/**
 * Safety net for follow-up jobs that never ran (lost to a store failure, or scheduled by a node
 * that died between the append and the job's save): invitations past `expiresAt` are expired and
 * games past `endsAt` ended. One at a time: they all append to the one invites stream.
 */
export const closeLapsedInvitations = async (deps: CommandDeps, correlationId: string): Promise<number> => {
  const { state } = await deps.repo.load(inviteDecider, INVITES_STREAM);
  const now = deps.now().getTime();
  let closed = 0;
  for (const p of state.pending.valueSeq().toArray()) {
    if (ms(p.expiresAt) > now) continue;
    await expireInvitation(deps, p.inviteId, correlationId);
    closed += 1;
  }
  for (const g of state.games.valueSeq().toArray()) {
    if (ms(g.endsAt) > now) continue;
    await endGame(deps, g.gameId, correlationId);
    closed += 1;
  }
  return closed;
};
