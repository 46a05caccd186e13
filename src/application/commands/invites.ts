import type { InviteCommand } from '../../domain/invite/commands.js';
import type { InviteEvent } from '../../domain/invite/events.js';
import { INVITES_STREAM, inviteDecider } from '../../domain/invite/invite.js';
import { withDefaults, type GameOptions } from '../../domain/invite/options.js';
import { isRefusal, refuse } from '../../domain/shared/decision.js';
import { isBlockedEitherWay } from './blocks.js';
import { metaOf, ok, type Actor, type CommandDeps, type Outcome } from './context.js';

type InviteOutcome = Outcome<{ events: readonly InviteEvent[] }>;

const run = async (deps: CommandDeps, actor: Actor | undefined, command: InviteCommand, correlationId: string, at: string): Promise<InviteOutcome> => {
  const result = await deps.repo.execute(inviteDecider, INVITES_STREAM, command, metaOf(deps, actor, correlationId, at));
  return isRefusal(result) ? result : ok(result.position, { events: result.events });
};

export const sendInvitation = async (
  deps: CommandDeps,
  actor: Actor,
  input: { username: string; clientId: string; options: Partial<GameOptions> },
  correlationId: string,
): Promise<InviteOutcome> => {
  const invitee = await deps.queries.userByUsername(input.username);
  if (invitee === undefined) return refuse('user_not_found', 'No such user');
  const blocked = invitee.userId !== actor.userId && (await isBlockedEitherWay(deps, actor.userId, invitee.userId));
  const at = deps.now().toISOString();
  const p = deps.policies;
  const outcome = await run(
    deps,
    actor,
    {
      kind: 'SendInvitation',
      inviteId: deps.newId(),
      inviterId: actor.userId,
      inviteeId: invitee.userId,
      inviteeKnown: true,
      blocked,
      options: withDefaults(input.options),
      clientId: input.clientId,
      at,
      ttlMs: p.inviteTtlMs,
      rateLimit: p.inviteRateLimit,
    },
    correlationId,
    at,
  );
  return outcome;
};

export const replyInvitation = async (
  deps: CommandDeps,
  actor: Actor,
  input: { username: string; accept: boolean },
  correlationId: string,
): Promise<InviteOutcome> => {
  const inviter = await deps.queries.userByUsername(input.username);
  if (inviter === undefined) return refuse('user_not_found', 'No such user');
  const at = deps.now().toISOString();
  const outcome = await run(
    deps,
    actor,
    {
      kind: 'ReplyInvitation',
      inviteeId: actor.userId,
      inviterId: inviter.userId,
      accept: input.accept,
      gameId: deps.newId(),
      at,
      gameGraceMs: deps.policies.gameGraceMs,
    },
    correlationId,
    at,
  );
  return outcome;
};

export const cancelInvitation = async (deps: CommandDeps, actor: Actor, username: string, correlationId: string): Promise<InviteOutcome> => {
  const invitee = await deps.queries.userByUsername(username);
  if (invitee === undefined) return refuse('user_not_found', 'No such user');
  const at = deps.now().toISOString();
  return run(deps, actor, { kind: 'CancelInvitation', inviterId: actor.userId, inviteeId: invitee.userId, at }, correlationId, at);
};

/** System commands: run by scheduled jobs and by presence (inviter's last socket closed). */
export const expireInvitation = async (deps: CommandDeps, inviteId: string, correlationId: string): Promise<InviteOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, undefined, { kind: 'ExpireInvitation', inviteId, at }, correlationId, at);
};

export const cancelInvitationsOf = async (deps: CommandDeps, inviterId: string, correlationId: string): Promise<InviteOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, undefined, { kind: 'CancelInvitationsOf', inviterId, at }, correlationId, at);
};

export const endGame = async (deps: CommandDeps, gameId: string, correlationId: string): Promise<InviteOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, undefined, { kind: 'EndGame', gameId, at }, correlationId, at);
};
