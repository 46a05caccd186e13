import { chatGroup } from '../../application/broadcast/delivery.js';
import { runAction } from '../../application/features.js';
import type { CommandDeps } from '../../application/shared/deps.js';
import type { ActionResult } from '../../application/shared/feature.js';
import type { ClientAction } from '../../application/wire/client-actions.js';
import type { ClientSocket } from './client-socket.js';
import type { Hub } from './hub.js';

/** Runs one decoded action by the feature that handles it, on this socket's session. */
export const dispatch = (deps: CommandDeps, hub: Hub, socket: ClientSocket, action: ClientAction, correlationId: string): Promise<ActionResult> =>
  runAction(
    {
      deps,
      actor: socket.actor,
      correlationId,
      session: { joinChat: (chatId) => hub.join(socket, chatGroup(chatId)), reply: (frame) => socket.reply(frame) },
    },
    action,
  );
