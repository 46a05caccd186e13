import type { PresenceCommand } from '../../domain/presence/commands.js';
import type { PresenceEvent } from '../../domain/presence/events.js';
import { presenceStream } from '../../domain/presence/presence.js';
import { isRefusal, ok, type Outcome } from '../../domain/shared/decision.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, type Actor, type CommandDeps } from '../shared/deps.js';

type PresenceOutcome = Outcome<{ readonly events: readonly PresenceEvent[]; readonly position: Position | undefined }>;

const run = async (deps: CommandDeps, actor: Actor | undefined, userId: string, command: PresenceCommand, correlationId: string): Promise<PresenceOutcome> => {
  const result = await deps.aggregates.presence.execute(presenceStream(userId), command, metaOf(actor, correlationId, command.at));
  return isRefusal(result) ? result : ok({ events: result.events, position: result.position });
};

const connectionOf = (deps: CommandDeps, actor: Actor, at: string) => ({
  userId: actor.userId,
  connectionId: actor.connectionId ?? 'rest',
  nodeId: deps.policies.nodeId,
  at,
});

export const openConnection = (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> =>
  run(deps, actor, actor.userId, { kind: 'OpenConnection', ...connectionOf(deps, actor, deps.now().toISOString()) }, correlationId);

export const closeConnection = (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> =>
  run(
    deps,
    actor,
    actor.userId,
    { kind: 'CloseConnection', userId: actor.userId, connectionId: actor.connectionId ?? 'rest', at: deps.now().toISOString() },
    correlationId,
  );

/** Throttled: most calls decide on the cached state and append nothing. */
export const recordActivity = (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> =>
  run(
    deps,
    actor,
    actor.userId,
    { kind: 'RecordActivity', throttleMs: deps.policies.activityThrottleMs, ...connectionOf(deps, actor, deps.now().toISOString()) },
    correlationId,
  );

export const announceOnline = (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> =>
  run(deps, actor, actor.userId, { kind: 'AnnounceOnline', ...connectionOf(deps, actor, deps.now().toISOString()) }, correlationId);

export const announceOffline = (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> =>
  run(deps, actor, actor.userId, { kind: 'AnnounceOffline', userId: actor.userId, at: deps.now().toISOString() }, correlationId);

export const sweepInactive = (deps: CommandDeps, userId: string, thresholdMs: number, correlationId: string): Promise<PresenceOutcome> => {
  const now = deps.now();
  const inactiveBefore = new Date(now.getTime() - thresholdMs).toISOString();
  return run(deps, undefined, userId, { kind: 'SweepInactive', userId, inactiveBefore, at: now.toISOString() }, correlationId);
};

export const closeNodeConnections = (deps: CommandDeps, userId: string, nodeId: string, correlationId: string): Promise<PresenceOutcome> =>
  run(deps, undefined, userId, { kind: 'CloseNodeConnections', userId, nodeId, at: deps.now().toISOString() }, correlationId);
