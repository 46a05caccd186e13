import { chatStream } from '../../domain/chat/chat.js';
import { isRefusal, ok } from '../../domain/shared/decision.js';
import { chatGroup, send } from '../broadcast/delivery.js';
import { metaOf } from '../shared/deps.js';
import type { ActionContext, ActionResult, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { messageFacts } from './message-facts.js';

/** `like_message` / `unlike_message`: a no-op when the message is already so; never one's own message. */
const setLike =
  (like: boolean) =>
  async ({ deps, actor, correlationId }: ActionContext, data: { readonly id: string; readonly chat_id: string }): Promise<ActionResult> => {
    const message = await messageFacts(deps, data.id);
    const at = deps.now().toISOString();
    const result = await deps.aggregates.chat.execute(
      chatStream(data.chat_id),
      { kind: like ? 'LikeMessage' : 'UnlikeMessage', chatId: data.chat_id, userId: actor.userId, messageId: data.id, message, at },
      metaOf(actor, correlationId, at),
    );
    return isRefusal(result) ? result : ok({ position: result.position });
  };

const likeUpdate = (
  e: { readonly type: 'MessageLiked' | 'MessageUnliked'; readonly data: { readonly chatId: string; readonly messageId: string } },
  position: string,
) => [
  send(chatGroup(e.data.chatId), frameOf('chat_like_update', { chat_id: e.data.chatId, id: e.data.messageId, is_liked: e.type === 'MessageLiked' }, position)),
];

/** Likes: the recipient likes or unlikes a message; both members' tabs see it. */
export const likes = {
  actions: { like_message: setLike(true), unlike_message: setLike(false) },
  projections: {
    MessageLiked: (e) => [{ kind: 'SetLiked', chatId: e.data.chatId, messageId: e.data.messageId, liked: true }],
    MessageUnliked: (e) => [{ kind: 'SetLiked', chatId: e.data.chatId, messageId: e.data.messageId, liked: false }],
  },
  frames: {
    MessageLiked: { deliveries: (e, { position }) => likeUpdate(e, position) },
    MessageUnliked: { deliveries: (e, { position }) => likeUpdate(e, position) },
  },
  describe: {
    MessageLiked: (e, u) => `${u(e.data.userId)} liked message ${e.data.messageId}`,
    MessageUnliked: (e, u) => `${u(e.data.userId)} unliked message ${e.data.messageId}`,
  },
} satisfies Feature;
