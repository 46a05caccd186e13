import { chatStream } from '../../domain/chat/chat.js';
import type { ChatCommand, MessageFacts } from '../../domain/chat/commands.js';
import { clientMsgKey, isMember } from '../../domain/chat/state.js';
import { isRefusal, refuse, type Refusal } from '../../domain/shared/decision.js';
import { chatAggregate } from '../snapshots/aggregates.js';
import { isBlockedEitherWay } from './blocks.js';
import { metaOf, ok, type Actor, type CommandDeps, type Outcome } from './context.js';
import { chatIdFor } from './ids.js';

const run = async (deps: CommandDeps, actor: Actor, command: ChatCommand, correlationId: string, at: string): Promise<Outcome> => {
  const result = await deps.repo.execute(chatAggregate, chatStream(command.chatId), command, metaOf(deps, actor, correlationId, at));
  return isRefusal(result) ? result : ok(result.position, {});
};

/** `PUT /chats/{username}`: open the chat with a user, creating it on first use. */
export const openChat = async (
  deps: CommandDeps,
  actor: Actor,
  peerUsername: string,
  correlationId: string,
): Promise<Outcome<{ chatId: string; peerId: string; created: boolean }> | Refusal> => {
  const peer = await deps.queries.userByUsername(peerUsername);
  if (peer === undefined) return refuse('user_not_found', 'No such user');
  if (peer.userId === actor.userId) return refuse('cannot_chat_with_self', 'You cannot open a chat with yourself');
  const chatId = chatIdFor(actor.userId, peer.userId);
  const at = deps.now().toISOString();
  const blocked = await isBlockedEitherWay(deps, actor.userId, peer.userId);
  const command: ChatCommand = { kind: 'CreateChat', chatId, initiatorId: actor.userId, peerId: peer.userId, blocked, at };
  const result = await deps.repo.execute(chatAggregate, chatStream(chatId), command, metaOf(deps, actor, correlationId, at));
  if (isRefusal(result)) return result;
  // An existing chat is opened even when blocked: PROTOCOL.md's 403 applies to both cases.
  if (blocked) return refuse('blocked', 'One of you blocked the other');
  return ok(result.position, { chatId, peerId: peer.userId, created: result.events.length > 0 });
};

const peerOf = async (deps: CommandDeps, chatId: string, userId: string): Promise<string | undefined> => {
  const { state } = await deps.repo.load(chatAggregate, chatStream(chatId));
  if (!state.exists || !isMember(state, userId)) return undefined;
  return state.members[0] === userId ? state.members[1] : state.members[0];
};

/** What `new_message` did: stored the message (`date`: when), or stored nothing for a repeated client id (`duplicateOf`). */
type SentMessage = { messageId: string; date: string; duplicateOf?: undefined } | { messageId: string; date?: undefined; duplicateOf: string };

/**
 * `new_message`. With a `clientMsgId` the send is idempotent: a repeat stores nothing and
 * answers `duplicateOf`, the id of the message stored the first time, which the sender is
 * acknowledged with again.
 */
export const sendMessage = async (
  deps: CommandDeps,
  actor: Actor,
  input: { chatId: string; content: string; timestamp: string; clientMsgId?: string },
  correlationId: string,
): Promise<Outcome<SentMessage>> => {
  const peer = await peerOf(deps, input.chatId, actor.userId);
  if (peer === undefined) return refuse('not_a_member', 'You are not a member of this chat');
  const blocked = await isBlockedEitherWay(deps, actor.userId, peer);
  const at = deps.now().toISOString();
  const messageId = deps.newId();
  const command: ChatCommand = {
    kind: 'SendMessage',
    chatId: input.chatId,
    senderId: actor.userId,
    messageId,
    content: input.content,
    clientTimestamp: input.timestamp,
    ...(input.clientMsgId === undefined ? {} : { clientMsgId: input.clientMsgId }),
    blocked,
    at,
  };
  const result = await deps.repo.execute(chatAggregate, chatStream(input.chatId), command, metaOf(deps, actor, correlationId, at));
  if (isRefusal(result)) return result;
  if (result.events.length === 0 && input.clientMsgId !== undefined && result.state.exists) {
    const original = result.state.clientMsgIds.get(clientMsgKey(actor.userId, input.clientMsgId));
    if (original !== undefined) return ok(undefined, { messageId: original, duplicateOf: original });
  }
  return ok(result.position, { messageId, date: at });
};

/**
 * The target message's facts for the decider, from the read models once they caught up with the
 * log's head: a message stored before the command is always found. (The chat's state keeps no
 * per-message data, so that it stays bounded however long the chat.)
 */
const factsOf = (deps: CommandDeps, messageId: string): Promise<MessageFacts | undefined> => deps.queries.messageRecord(messageId);

export const setLike = async (
  deps: CommandDeps,
  actor: Actor,
  input: { chatId: string; messageId: string; like: boolean },
  correlationId: string,
): Promise<Outcome> => {
  const message = await factsOf(deps, input.messageId);
  const at = deps.now().toISOString();
  const kind = input.like ? 'LikeMessage' : 'UnlikeMessage';
  return run(deps, actor, { kind, chatId: input.chatId, userId: actor.userId, messageId: input.messageId, message, at }, correlationId, at);
};

/** `read_message`: `chat_id` is optional on the wire, so the message's chat may come from the read model. */
export const readMessage = async (
  deps: CommandDeps,
  actor: Actor,
  input: { chatId: string | undefined; messageId: string },
  correlationId: string,
): Promise<Outcome> => {
  const message = await factsOf(deps, input.messageId);
  const chatId = input.chatId ?? message?.chatId;
  if (chatId === undefined) return refuse('message_not_found', 'No such message');
  const at = deps.now().toISOString();
  return run(deps, actor, { kind: 'ReadMessage', chatId, readerId: actor.userId, messageId: input.messageId, message, at }, correlationId, at);
};

/** `room_created`: refused (`blocked`) when either member blocked the other, as every action between them is. */
export const announceRoom = async (deps: CommandDeps, actor: Actor, chatId: string, correlationId: string): Promise<Outcome> => {
  const peer = await peerOf(deps, chatId, actor.userId);
  const blocked = peer !== undefined && (await isBlockedEitherWay(deps, actor.userId, peer));
  const at = deps.now().toISOString();
  return run(deps, actor, { kind: 'AnnounceRoom', chatId, userId: actor.userId, blocked, at }, correlationId, at);
};

/** `join_chat`: membership is checked against the chat's own stream, not a lagging read model. */
export const checkMembership = async (deps: CommandDeps, actor: Actor, chatId: string): Promise<Outcome> =>
  (await peerOf(deps, chatId, actor.userId)) === undefined ? refuse('not_a_member', 'You are not a member of this chat') : ok(undefined, {});
