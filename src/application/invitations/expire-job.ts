import { inviteStream } from '../../domain/invite/invite.js';
import { isRefusal } from '../../domain/shared/decision.js';
import { JOB_NAMES, stringField, type OneOffJob } from '../scheduling/job.js';
import type { CommandDeps } from '../shared/deps.js';
import { expireInvitation } from './invitations.js';

/** Run at the invitation's `expiresAt`: `game_invite_canceled` ("expired") to both, unless it was answered or withdrawn first. */
export const expireInvitationJob = (deps: CommandDeps): OneOffJob => ({
  name: JOB_NAMES.expireInvitation,
  // Each run appends to its own invitation's stream: runs do not conflict.
  run: async (data, ctx) => {
    const inviteId = stringField(data, 'inviteId');
    if (inviteId === undefined) throw new Error(`${JOB_NAMES.expireInvitation}: job data has no inviteId`);
    const outcome = await expireInvitation(deps, inviteId, ctx.correlationId);
    if (isRefusal(outcome) || outcome.events.length > 0) return;
    // Nothing to expire: answered or withdrawn (done), or not yet due by this node's clock, which
    // may lag the scheduling node's: then run again at the expiry time.
    const invitation = (await deps.aggregates.invite.load(inviteStream(inviteId), { verify: true })).state;
    if (invitation.status !== 'pending') return;
    const due = new Date(invitation.invite.expiresAt);
    return { runAgainAt: due.getTime() > deps.now().getTime() ? due : new Date(deps.now().getTime() + 1000) };
  },
});
