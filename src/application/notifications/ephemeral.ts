import { send, userGroup } from '../broadcast/delivery.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { onInbox } from './inbox.js';

/** The `notification` action: stored as an event, delivered to the sender's own sockets only. */
const notification: ActionHandler<'notification'> = async ({ deps, actor, correlationId }, data) =>
  onInbox(
    deps,
    actor,
    { kind: 'SendEphemeralNotification', userId: actor.userId, message: data.message, notificationType: data.type, at: deps.now().toISOString() },
    correlationId,
  );

export const ephemeral = {
  actions: { notification },
  frames: {
    EphemeralNotificationSent: {
      deliveries: (e, { position }) => [
        send(userGroup(e.data.userId), frameOf('notification', { message: e.data.message, type: e.data.notificationType }, position)),
      ],
    },
  },
  describe: { EphemeralNotificationSent: (e, u) => `${u(e.data.userId)} sent themselves a ${e.data.notificationType} notification` },
} satisfies Feature;
