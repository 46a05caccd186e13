import { chatStream } from '../../domain/chat/chat.js';
import { isRefusal, ok, refuse, type Outcome } from '../../domain/shared/decision.js';
import { isBlockedEitherWay } from '../blocks/blocked-either-way.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, type Actor, type CommandDeps } from '../shared/deps.js';
import { chatIdFor } from '../shared/ids.js';

/** `PUT /api/chats/{username}`: open the chat with a user, creating it on first use. */
export const openChat = async (
  deps: CommandDeps,
  actor: Actor,
  peerUsername: string,
  correlationId: string,
): Promise<Outcome<{ chatId: string; peerId: string; created: boolean; position: Position | undefined }>> => {
  const peer = await (await deps.lookups()).userByUsername(peerUsername);
  if (peer === undefined) return refuse('user_not_found', 'No such user');
  if (peer.userId === actor.userId) return refuse('cannot_chat_with_self', 'You cannot open a chat with yourself');
  const chatId = chatIdFor(actor.userId, peer.userId);
  const at = deps.now().toISOString();
  const blocked = await isBlockedEitherWay(deps, actor.userId, peer.userId);
  const result = await deps.aggregates.chat.execute(
    chatStream(chatId),
    { kind: 'CreateChat', chatId, initiatorId: actor.userId, peerId: peer.userId, blocked, at },
    metaOf(actor, correlationId, at),
  );
  if (isRefusal(result)) return result;
  // An existing chat is opened even when blocked: PROTOCOL.md's 403 applies to both cases.
  if (blocked) return refuse('blocked', 'One of you blocked the other');
  return ok({ chatId, peerId: peer.userId, created: result.events.length > 0, position: result.position });
};
