import { chatStream } from '../../domain/chat/chat.js';
import { isRefusal, ok, refuse } from '../../domain/shared/decision.js';
import { metaOf } from '../shared/deps.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
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

/** Read marks: the recipient's watermark over the other member's messages. */
export const reads = {
  actions: { read_message: readMessage },
  projections: {
    MessagesRead: (e) => {
      const d = e.data;
      return [{ kind: 'MarkMessagesRead', chatId: d.chatId, readerId: d.readerId, senderId: d.senderId, throughSeq: d.throughSeq }];
    },
  },
  describe: {
    MessagesRead: (e, u) => `${u(e.data.readerId)} read ${u(e.data.senderId)}'s messages up to #${e.data.throughSeq}`,
  },
} satisfies Feature;
