import { chatStream } from '../../domain/chat/chat.js';
import { isRefusal, ok, refuse } from '../../domain/shared/decision.js';
import { chatGroup, send } from '../broadcast/delivery.js';
import { metaOf } from '../shared/deps.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { messageFacts } from './message-facts.js';

/** `read_message`: `chat_id` is optional on the wire, so the message's chat may come from the read model. */
const readMessage: ActionHandler<'read_message'> = async ({ deps, actor, correlationId }, data) => {
  const message = await messageFacts(deps, data.id);
  const chatId = data.chat_id ?? message?.chatId;
  if (chatId === undefined) return refuse('message_not_found', 'No such message');
  const at = deps.now().toISOString();
  const result = await deps.aggregates.chat.execute(
    chatStream(chatId),
    { kind: 'ReadMessage', chatId, readerId: actor.userId, messageId: data.id, message, at },
    metaOf(actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok({ position: result.position });
};

/** Read marks: the recipient's watermark over the other member's messages, shown to both members' tabs (`chat_read_update`). */
export const reads = {
  actions: { read_message: readMessage },
  projections: {
    MessagesRead: (e) => {
      const d = e.data;
      return [{ kind: 'MarkMessagesRead', chatId: d.chatId, readerId: d.readerId, senderId: d.senderId, throughSeq: d.throughSeq }];
    },
  },
  frames: {
    // Stored only when the read mark moved: a repeated read sends nothing.
    MessagesRead: {
      profiles: (e) => [e.data.readerId],
      deliveries: (e, { position, profile }) => [
        send(
          chatGroup(e.data.chatId),
          frameOf('chat_read_update', { chat_id: e.data.chatId, username: profile(e.data.readerId).username, id: e.data.messageId }, position),
        ),
      ],
    },
  },
  describe: {
    MessagesRead: (e, u) => `${u(e.data.readerId)} read ${u(e.data.senderId)}'s messages up to #${e.data.throughSeq}`,
  },
} satisfies Feature;
