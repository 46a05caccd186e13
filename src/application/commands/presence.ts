import type { PresenceCommand } from '../../domain/presence/commands.js';
import type { PresenceEvent } from '../../domain/presence/events.js';
import { presenceStream } from '../../domain/presence/presence.js';
import { isRefusal } from '../../domain/shared/decision.js';
import { presenceAggregate } from '../snapshots/aggregates.js';
import { metaOf, ok, type Actor, type CommandDeps, type Outcome } from './context.js';

type PresenceOutcome = Outcome<{ events: readonly PresenceEvent[] }>;

const run = async (
  deps: CommandDeps,
  actor: Actor | undefined,
  userId: string,
  command: PresenceCommand,
  correlationId: string,
  at: string,
): Promise<PresenceOutcome> => {
  const result = await deps.repo.execute(presenceAggregate, presenceStream(userId), command, metaOf(deps, actor, correlationId, at));
  return isRefusal(result) ? result : ok(result.position, { events: result.events });
};

const connectionOf = (deps: CommandDeps, actor: Actor, at: string) => ({
  userId: actor.userId,
  connectionId: actor.connectionId ?? 'rest',
  nodeId: deps.policies.nodeId,
  at,
});

export const openConnection = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, actor, actor.userId, { kind: 'OpenConnection', ...connectionOf(deps, actor, at) }, correlationId, at);
};

export const closeConnection = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, actor, actor.userId, { kind: 'CloseConnection', userId: actor.userId, connectionId: actor.connectionId ?? 'rest', at }, correlationId, at);
};

/** Throttled: most calls decide on the cached state and append nothing. */
export const recordActivity = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> => {
  const at = deps.now().toISOString();
  const command: PresenceCommand = { kind: 'RecordActivity', throttleMs: deps.policies.activityThrottleMs, ...connectionOf(deps, actor, at) };
  return run(deps, actor, actor.userId, command, correlationId, at);
};

export const announceOnline = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, actor, actor.userId, { kind: 'AnnounceOnline', ...connectionOf(deps, actor, at) }, correlationId, at);
};

export const announceOffline = async (deps: CommandDeps, actor: Actor, correlationId: string): Promise<PresenceOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, actor, actor.userId, { kind: 'AnnounceOffline', userId: actor.userId, at }, correlationId, at);
};

export const sweepInactive = async (deps: CommandDeps, userId: string, thresholdMs: number, correlationId: string): Promise<PresenceOutcome> => {
  const now = deps.now();
  const at = now.toISOString();
  const inactiveBefore = new Date(now.getTime() - thresholdMs).toISOString();
  return run(deps, undefined, userId, { kind: 'SweepInactive', userId, inactiveBefore, at }, correlationId, at);
};

export const closeNodeConnections = async (deps: CommandDeps, userId: string, nodeId: string, correlationId: string): Promise<PresenceOutcome> => {
  const at = deps.now().toISOString();
  return run(deps, undefined, userId, { kind: 'CloseNodeConnections', userId, nodeId, at }, correlationId, at);
};
