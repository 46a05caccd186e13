import { chatStream } from '../../domain/chat/chat.js';
import { isRefusal, ok, refuse } from '../../domain/shared/decision.js';
import { isBlockedEitherWay } from '../blocks/blocked-either-way.js';
import { chatGroup, send } from '../broadcast/delivery.js';
import { metaOf } from '../shared/deps.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { peerOf } from './membership.js';

/** `room_created`: refused (`blocked`) when either member blocked the other, as every action between them is. */
const roomCreated: ActionHandler<'room_created'> = async ({ deps, actor, correlationId }, data) => {
  const peer = await peerOf(deps, data.chat_id, actor.userId);
  const blocked = peer !== undefined && (await isBlockedEitherWay(deps, actor.userId, peer));
  const at = deps.now().toISOString();
  const result = await deps.aggregates.chat.execute(
    chatStream(data.chat_id),
    { kind: 'AnnounceRoom', chatId: data.chat_id, userId: actor.userId, blocked, at },
    metaOf(actor, correlationId, at),
  );
  return isRefusal(result) ? result : ok({ position: result.position });
};

/** `join_chat`: membership is checked against the chat's own stream; this socket joins, and is told so. */
const joinChat: ActionHandler<'join_chat'> = async ({ deps, actor, session }, data) => {
  if ((await peerOf(deps, data.chat_id, actor.userId)) === undefined) return refuse('not_a_member', 'You are not a member of this chat');
  session.joinChat(data.chat_id);
  session.reply(frameOf('join_chat', { chat_id: data.chat_id }));
  return ok({ position: undefined });
};

/** A chat's group on the sockets: joined by the members' tabs, announced by one of them. */
export const room = {
  actions: { room_created: roomCreated, join_chat: joinChat },
  frames: {
    RoomAnnounced: { deliveries: (e, { position }) => [send(chatGroup(e.data.chatId), frameOf('room_created', { chat_id: e.data.chatId }, position))] },
  },
  describe: { RoomAnnounced: (e, u) => `${u(e.data.by)} announced the room` },
} satisfies Feature;
