import { chatStream } from '../../domain/chat/chat.js';
import { clientMsgKey } from '../../domain/chat/state.js';
import { isRefusal, ok, refuse, type Outcome } from '../../domain/shared/decision.js';
import { isBlockedEitherWay } from '../blocks/blocked-either-way.js';
import { chatGroup, join, send, userGroup } from '../broadcast/delivery.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, type Actor, type CommandDeps } from '../shared/deps.js';
import type { ActionHandler, Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';
import { peerOf } from './membership.js';

/** What `new_message` did: stored the message (`date`: when), or stored nothing for a repeated client id (`duplicateOf`). */
type SentMessage = { readonly messageId: string } & (
  | { readonly position: Position | undefined; readonly date: string; readonly duplicateOf?: undefined }
  | { readonly position: undefined; readonly date?: undefined; readonly duplicateOf: string }
);

/**
 * `new_message`. With a `clientMsgId` the send is idempotent: the chat remembers the sender's
 * recent ones, and a repeat stores nothing and answers `duplicateOf`, the id of the message
 * stored the first time.
 */

export const sendMessage = async (
  deps: CommandDeps,
  actor: Actor,
  input: { readonly chatId: string; readonly content: string; readonly timestamp: string; readonly clientMsgId?: string },
  correlationId: string,
): Promise<Outcome<SentMessage>> => {
  const peer = await peerOf(deps, input.chatId, actor.userId);
  if (peer === undefined) return refuse('not_a_member', 'You are not a member of this chat');
  const blocked = await isBlockedEitherWay(deps, actor.userId, peer);
  const at = deps.now().toISOString();
  const messageId = deps.newId();
  const result = await deps.aggregates.chat.execute(
    chatStream(input.chatId),
    {
      kind: 'SendMessage',
      chatId: input.chatId,
      senderId: actor.userId,
      messageId,
      content: input.content,
      clientTimestamp: input.timestamp,
      ...(input.clientMsgId === undefined ? {} : { clientMsgId: input.clientMsgId }),
      blocked,
      at,
    },
    metaOf(actor, correlationId, at),
  );
  if (isRefusal(result)) return result;
  const original =
    input.clientMsgId !== undefined && result.events.length === 0 && result.state.exists
      ? result.state.clientMsgIds.get(clientMsgKey(actor.userId, input.clientMsgId))
      : undefined;
  return original === undefined
    ? ok({ position: result.position, messageId, date: at })
    : ok({ position: undefined, messageId: original, duplicateOf: original });
};

/** The sender of a repeated `client_msg_id` gets the original message's frame again as its acknowledgement. */
const newMessage: ActionHandler<'new_message'> = async ({ deps, actor, correlationId, session }, data) => {
  const clientMsgId = data.client_msg_id;
  const outcome = await sendMessage(
    deps,
    actor,
    { chatId: data.chat_id, content: data.content, timestamp: data.timestamp, ...(clientMsgId === undefined ? {} : { clientMsgId }) },
    correlationId,
  );
  if (isRefusal(outcome)) return outcome;
  if (outcome.duplicateOf === undefined)
    return ok({ position: outcome.position, message: { id: outcome.messageId, chat_id: data.chat_id, date: outcome.date } });
  const stored = await (await deps.lookups()).message(data.chat_id, outcome.duplicateOf);
  if (stored === undefined || clientMsgId === undefined) return ok({ position: undefined });
  session.reply(frameOf('new_message', { chat_id: data.chat_id, ...stored, timestamp: data.timestamp, client_msg_id: clientMsgId }));
  return ok({ position: undefined, message: { id: stored.id, chat_id: data.chat_id, date: stored.date } });
};

/** Chats and their messages: a chat per pair of users, its messages in order. */
export const messages = {
  actions: { new_message: newMessage },
  projections: {
    ChatCreated: (e) => [{ kind: 'CreateChat', chatId: e.data.chatId, members: e.data.members, at: e.data.at }],
    MessageSent: (e, { erased }) => {
      const d = e.data;
      return [
        {
          kind: 'AddMessage',
          chatId: d.chatId,
          messageId: d.messageId,
          senderId: d.senderId,
          content: d.content,
          seq: d.seq,
          date: d.date,
          ...(erased ? { erased: true } : {}),
        },
      ];
    },
  },
  frames: {
    ChatCreated: {
      deliveries: (e, { position }) => {
        const group = chatGroup(e.data.chatId);
        return [
          ...e.data.members.map((member) => join(member, group)),
          ...e.data.members.map((member) => send(userGroup(member), frameOf('join_chat', { chat_id: e.data.chatId }, position))),
        ];
      },
    },
    MessageSent: {
      profiles: (e) => [e.data.senderId],
      deliveries: (e, { position, profile, erased }) => {
        const d = e.data;
        return [
          send(
            chatGroup(d.chatId),
            frameOf(
              'new_message',
              {
                chat_id: d.chatId,
                id: d.messageId,
                content: d.content,
                date: d.date,
                sender: profile(d.senderId).username,
                is_read: false,
                is_liked: false,
                timestamp: d.clientTimestamp,
                ...(d.clientMsgId === undefined ? {} : { client_msg_id: d.clientMsgId }),
                ...(erased ? { erased: true } : {}),
              },
              position,
            ),
          ),
        ];
      },
    },
  },
  describe: {
    ChatCreated: (e, u) => `chat ${e.data.chatId} opened between ${u(e.data.members[0])} and ${u(e.data.members[1])}`,
    MessageSent: (e, u) => `${u(e.data.senderId)} wrote #${e.data.seq} ${JSON.stringify(e.data.content)}`,
  },
} satisfies Feature;
