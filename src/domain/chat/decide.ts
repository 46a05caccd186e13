import { refuse, type Refusal } from '../shared/decision.js';
import type { ChatCommand, MessageFacts } from './commands.js';
import { normaliseContent } from './content.js';
import type { ChatEvent } from './events.js';
import { clientMsgKey, isMember, type ChatState } from './state.js';

type Decision = readonly ChatEvent[] | Refusal;

const notMember = (): Refusal => refuse('not_a_member', 'You are not a member of this chat');
const notFound = (): Refusal => refuse('message_not_found', 'No such message in this chat');

/** The looked-up message, if it is one of this chat's messages as far as the state knows. */
const messageOf = (s: Extract<ChatState, { exists: true }>, facts: MessageFacts | undefined): MessageFacts | undefined =>
  facts !== undefined && facts.chatId === s.chatId && facts.seq >= 1 && facts.seq <= s.messageCount ? facts : undefined;

export const decideChat = (c: ChatCommand, s: ChatState): Decision => {
  switch (c.kind) {
    case 'CreateChat':
      if (c.initiatorId === c.peerId) return refuse('cannot_chat_with_self', 'You cannot open a chat with yourself');
      if (s.exists) return [];
      if (c.blocked) return refuse('blocked', 'One of you blocked the other');
      return [{ type: 'ChatCreated', data: { chatId: c.chatId, members: [c.initiatorId, c.peerId], createdBy: c.initiatorId, at: c.at } }];
    case 'SendMessage': {
      if (!s.exists || !isMember(s, c.senderId)) return notMember();
      // A repeat of a recent client_msg_id of this sender: already stored, so nothing new (even if a block came since).
      if (c.clientMsgId !== undefined && s.clientMsgIds.has(clientMsgKey(c.senderId, c.clientMsgId))) return [];
      const content = normaliseContent(c.content);
      if (content === undefined) return refuse('invalid_content', 'Message content must be 1 to 256 characters');
      if (c.blocked) return refuse('blocked', 'One of you blocked the other');
      return [
        {
          type: 'MessageSent',
          data: {
            chatId: s.chatId,
            messageId: c.messageId,
            senderId: c.senderId,
            content,
            seq: s.messageCount + 1,
            date: c.at,
            clientTimestamp: c.clientTimestamp,
            ...(c.clientMsgId === undefined ? {} : { clientMsgId: c.clientMsgId }),
          },
        },
      ];
    }
    case 'LikeMessage':
    case 'UnlikeMessage': {
      if (!s.exists || !isMember(s, c.userId)) return notMember();
      const message = messageOf(s, c.message);
      if (message === undefined) return notFound();
      if (message.senderId === c.userId) return refuse('cannot_like_own_message', 'You cannot like your own message');
      const like = c.kind === 'LikeMessage';
      // A toggle the lookup may not have seen yet is in the state's window.
      if ((s.recentLikes.get(c.messageId) ?? message.liked) === like) return [];
      const data = { chatId: s.chatId, messageId: c.messageId, userId: c.userId, at: c.at };
      return [like ? { type: 'MessageLiked', data } : { type: 'MessageUnliked', data }];
    }
    case 'ReadMessage': {
      if (!s.exists || !isMember(s, c.readerId)) return notMember();
      const message = messageOf(s, c.message);
      if (message === undefined) return notFound();
      if (message.senderId === c.readerId) return refuse('not_recipient', 'Only the recipient can mark a message read');
      if (message.seq <= (s.readThrough.get(c.readerId) ?? 0)) return [];
      return [
        {
          type: 'MessagesRead',
          data: { chatId: s.chatId, readerId: c.readerId, senderId: message.senderId, messageId: c.messageId, throughSeq: message.seq, at: c.at },
        },
      ];
    }
    case 'AnnounceRoom':
      if (!s.exists || !isMember(s, c.userId)) return notMember();
      if (c.blocked) return refuse('blocked', 'One of you blocked the other');
      return [{ type: 'RoomAnnounced', data: { chatId: s.chatId, by: c.userId, at: c.at } }];
  }
};
