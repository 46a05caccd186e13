import { engagedBy } from '../../domain/engagement/engaged.js';
import { engagementStream } from '../../domain/engagement/engagement.js';
import type { EngagementRole } from '../../domain/engagement/events.js';
import { sendInvitationWorkflow, type LookedUp, type SendAction, type SendInput } from '../../domain/engagement/send-workflow.js';
import type { InviteCommand } from '../../domain/invite/commands.js';
import type { InviteEvent } from '../../domain/invite/events.js';
import { inviteStream } from '../../domain/invite/invite.js';
import { withDefaults, type GameOptions } from '../../domain/invite/options.js';
import { noPendingInvitation, sendRefusal } from '../../domain/invite/send-rules.js';
import { isRefusal, ok, refuse, type Outcome } from '../../domain/shared/decision.js';
import { isBlockedEitherWay } from '../blocks/blocked-either-way.js';
import type { CommandMeta } from '../log/stored.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, type Actor, type CommandDeps } from '../shared/deps.js';

/**
 * Invitations without a stream every invitation passes through. Each invitation has its own
 * stream (`invite-{id}`: its lifecycle); each user has one (`engagement-{userId}`: a pointer to
 * the invitation engaging them, and their recent send times). Sending reserves both users'
 * pointers with expected revisions, in sorted user-id order, then appends InvitationSent to the
 * new invitation's stream; every other command acts on the one invitation stream a pointer (or
 * a job) names.
 */
type InviteOutcome = Outcome<{ readonly events: readonly InviteEvent[]; readonly position: Position | undefined }>;

export const DEFAULT_ENGAGEMENT_HOLD_MS = 10_000;

const onInvitation = async (deps: CommandDeps, inviteId: string, command: InviteCommand, meta: CommandMeta): Promise<InviteOutcome> => {
  const result = await deps.aggregates.invite.execute(inviteStream(inviteId), command, meta);
  return isRefusal(result) ? result : ok({ events: result.events, position: result.position });
};

/**
 * A user's engagement and the invitation its pointer names, both read from the store. A pointer
 * to an invitation never sent whose hold lapsed (its sender died between the steps) is fenced
 * first: InvitationAbandoned with expected no_stream. If the fence loses, the invitation was
 * sent after all, and the state returned is the sent one.
 */
const engagementOf = async (deps: CommandDeps, userId: string, at: string, meta: CommandMeta): Promise<LookedUp> => {
  const { state } = await deps.aggregates.engagement.load(engagementStream(userId), { verify: true });
  const p = state.pointer;
  if (p === undefined) return { state, pointed: undefined };
  let invitation = (await deps.aggregates.invite.load(inviteStream(p.inviteId), { verify: true })).state;
  if (engagedBy(p, invitation, at) === 'unconfirmed') {
    const fenced = await deps.aggregates.invite.execute(inviteStream(p.inviteId), { kind: 'AbandonInvitation', inviteId: p.inviteId, at }, meta);
    if (!isRefusal(fenced)) invitation = fenced.state;
  }
  return { state, pointed: { inviteId: p.inviteId, invitation } };
};

/** Runs one step of the send workflow against the aggregates; a throw is the workflow's to answer (see `sendInvitation`). */
const runStep = async (deps: CommandDeps, step: SendAction, inviteId: string, at: string, meta: CommandMeta): Promise<SendInput> => {
  switch (step.kind) {
    case 'LookUpBoth': {
      const [inviter, invitee] = await Promise.all([engagementOf(deps, step.inviter.userId, at, meta), engagementOf(deps, step.invitee.userId, at, meta)]);
      return { kind: 'BothLookedUp', inviter, invitee };
    }
    case 'LookUpAgain':
      return { kind: 'LookedUpAgain', pointed: (await engagementOf(deps, step.party.userId, at, meta)).pointed };
    case 'Reserve': {
      const { userId, role } = step.party;
      const result = await deps.aggregates.engagement.execute(
        engagementStream(userId),
        {
          kind: 'ReserveEngagement',
          userId,
          inviteId,
          role,
          at,
          holdMs: deps.policies.engagementHoldMs ?? DEFAULT_ENGAGEMENT_HOLD_MS,
          pointed: step.pointed,
          rateLimit: deps.policies.inviteRateLimit,
        },
        meta,
      );
      return isRefusal(result) ? { kind: 'ReserveRefused', refusal: result } : { kind: 'Reserved' };
    }
    case 'Release':
      await deps.aggregates.engagement.execute(
        engagementStream(step.party.userId),
        { kind: 'ReleaseEngagement', userId: step.party.userId, inviteId, at },
        meta,
      );
      return { kind: 'Released' };
  }
};

/** Sending is a workflow (domain/engagement/send-workflow.ts): it decides each step, this runs them. */
export const sendInvitation = async (
  deps: CommandDeps,
  actor: Actor,
  input: { username: string; clientId: string; options: Partial<GameOptions> },
  correlationId: string,
): Promise<InviteOutcome> => {
  const invitee = await (await deps.lookups()).userByUsername(input.username);
  if (invitee === undefined) return refuse('user_not_found', 'No such user');
  const blocked = invitee.userId !== actor.userId && (await isBlockedEitherWay(deps, actor.userId, invitee.userId));
  const early = sendRefusal({ inviterId: actor.userId, inviteeId: invitee.userId, inviteeKnown: true, blocked });
  if (early !== undefined) return early;
  const at = deps.now().toISOString();
  const meta = metaOf(actor, correlationId, at);
  const inviteId = deps.newId();
  const workflow = sendInvitationWorkflow;
  let state = workflow.initialState;
  let happened: SendInput = { kind: 'Started', inviterId: actor.userId, inviteeId: invitee.userId, at, rateLimit: deps.policies.inviteRateLimit };
  // Ends: the workflow bounds its retries and every step moves it on.
  for (;;) {
    const step = workflow.decide(happened, state);
    state = workflow.evolve(state, happened);
    switch (step.kind) {
      case 'Refuse':
        return step.refusal;
      case 'Fail':
        throw step.fault;
      case 'Send':
        return onInvitation(
          deps,
          inviteId,
          {
            kind: 'SendInvitation',
            inviteId,
            inviterId: actor.userId,
            inviteeId: invitee.userId,
            options: withDefaults(input.options),
            clientId: input.clientId,
            at,
            ttlMs: deps.policies.inviteTtlMs,
          },
          meta,
        );
      default:
        happened = await runStep(deps, step, inviteId, at, meta).catch((fault: unknown): SendInput => ({ kind: 'Faulted', fault }));
    }
  }
};

/** The invitation engaging `userId` in `role`, if any (whether it is still pending is the invitation's decision). */
const pointerAs = async (deps: CommandDeps, userId: string, role: EngagementRole): Promise<string | undefined> => {
  const { pointer } = (await deps.aggregates.engagement.load(engagementStream(userId), { verify: true })).state;
  return pointer?.role === role ? pointer.inviteId : undefined;
};

export const replyInvitation = async (
  deps: CommandDeps,
  actor: Actor,
  input: { username: string; accept: boolean },
  correlationId: string,
): Promise<InviteOutcome> => {
  const inviter = await (await deps.lookups()).userByUsername(input.username);
  if (inviter === undefined) return refuse('user_not_found', 'No such user');
  const at = deps.now().toISOString();
  const inviteId = await pointerAs(deps, actor.userId, 'invitee');
  if (inviteId === undefined) return noPendingInvitation();
  return onInvitation(
    deps,
    inviteId,
    {
      kind: 'ReplyInvitation',
      inviteeId: actor.userId,
      inviterId: inviter.userId,
      accept: input.accept,
      gameId: deps.newId(),
      at,
      gameGraceMs: deps.policies.gameGraceMs,
    },
    metaOf(actor, correlationId, at),
  );
};

export const cancelInvitation = async (deps: CommandDeps, actor: Actor, username: string, correlationId: string): Promise<InviteOutcome> => {
  const invitee = await (await deps.lookups()).userByUsername(username);
  if (invitee === undefined) return refuse('user_not_found', 'No such user');
  const at = deps.now().toISOString();
  const inviteId = await pointerAs(deps, actor.userId, 'inviter');
  if (inviteId === undefined) return noPendingInvitation();
  return onInvitation(deps, inviteId, { kind: 'CancelInvitation', inviterId: actor.userId, inviteeId: invitee.userId, at }, metaOf(actor, correlationId, at));
};

/** System commands: run by scheduled jobs and by presence (inviter's last socket closed). */
export const expireInvitation = async (deps: CommandDeps, inviteId: string, correlationId: string): Promise<InviteOutcome> => {
  const at = deps.now().toISOString();
  return onInvitation(deps, inviteId, { kind: 'ExpireInvitation', at }, metaOf(undefined, correlationId, at));
};

/** The engaged rule leaves an inviter at most one pending invitation: the one their pointer names. */
export const cancelInvitationsOf = async (deps: CommandDeps, inviterId: string, correlationId: string): Promise<InviteOutcome> => {
  const at = deps.now().toISOString();
  const inviteId = await pointerAs(deps, inviterId, 'inviter');
  if (inviteId === undefined) return ok({ events: [], position: undefined });
  return onInvitation(deps, inviteId, { kind: 'CancelInvitationsOf', inviterId, at }, metaOf(undefined, correlationId, at));
};

/**
 * `inviteId` undefined: an end-game job stored before jobs carried it. Nothing to record then:
 * the game stopped engaging its players at endsAt on its own.
 */
export const endGame = async (deps: CommandDeps, inviteId: string | undefined, gameId: string, correlationId: string): Promise<InviteOutcome> => {
  if (inviteId === undefined) return ok({ events: [], position: undefined });
  const at = deps.now().toISOString();
  return onInvitation(deps, inviteId, { kind: 'EndGame', gameId, at }, metaOf(undefined, correlationId, at));
};
