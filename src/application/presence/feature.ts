import { isRefusal, ok, refuse, type Refusal } from '../../domain/shared/decision.js';
import { sendToAll } from '../broadcast/delivery.js';
import type { Actor } from '../shared/deps.js';
import type { ActionHandler, ActionResult, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { announceOffline, announceOnline } from './connections.js';

const ownUsername = (actor: Actor, username: string): Refusal | undefined =>
  username === actor.username ? undefined : refuse('forbidden', 'username must be your own');

const taken = (outcome: Awaited<ReturnType<typeof announceOnline>>): ActionResult => (isRefusal(outcome) ? outcome : ok({ position: outcome.position }));

const userOnline: ActionHandler<'user_online'> = async ({ deps, actor, correlationId }, data) =>
  ownUsername(actor, data.username) ?? taken(await announceOnline(deps, actor, correlationId));

// Going offline withdraws the user's invitations: a reactor's follow-up (invitations/reactors.ts).
const userOffline: ActionHandler<'user_offline'> = async ({ deps, actor, correlationId }, data) =>
  ownUsername(actor, data.username) ?? taken(await announceOffline(deps, actor, correlationId));

/**
 * Presence: connections counted per user across tabs and nodes (connections.ts), online and
 * offline announced to whom `PRESENCE_SCOPE` says (presence-graph.ts), swept when inactive
 * (sweep.ts), closed out when their node dies (node-lease-check.ts).
 */
export const presence = {
  actions: { user_online: userOnline, user_offline: userOffline },
  projections: {
    UserWentOnline: (e) => [{ kind: 'SetOnline', userId: e.data.userId, online: true, at: e.data.at }],
    UserWentOffline: (e) => [{ kind: 'SetOnline', userId: e.data.userId, online: false, at: e.data.at }],
  },
  frames: {
    UserWentOnline: {
      profiles: (e) => [e.data.userId],
      deliveries: (e, { position, profile, presenceAudience }) =>
        sendToAll(presenceAudience(e.data.userId), frameOf('user_online', { username: profile(e.data.userId).username }, position)),
    },
    UserWentOffline: {
      profiles: (e) => [e.data.userId],
      deliveries: (e, { position, profile, presenceAudience }) =>
        sendToAll(presenceAudience(e.data.userId), frameOf('user_offline', { username: profile(e.data.userId).username }, position)),
    },
  },
  describe: {
    ConnectionOpened: (e, u) => `${u(e.data.userId)} connected (${e.data.connectionId} on node ${e.data.nodeId})`,
    ConnectionClosed: (e, u) => `${u(e.data.userId)} disconnected (${e.data.connectionId})`,
    UserWentOnline: (e, u) => `${u(e.data.userId)} is online`,
    UserWentOffline: (e, u) => `${u(e.data.userId)} is offline (${e.data.reason})`,
    ActivityRecorded: (e, u) => `${u(e.data.userId)} was active`,
  },
} satisfies Feature;
