import { Map as IMap, OrderedMap } from 'immutable';
import type { ChatEvent } from './events.js';
import { CLIENT_MSG_ID_WINDOW, clientMsgKey, type ChatState } from './state.js';

/** Remembers a message's client id, forgetting the oldest past the window. */
const remember = (ids: OrderedMap<string, string>, key: string, messageId: string): OrderedMap<string, string> => {
  const next = ids.set(key, messageId);
  return next.size > CLIENT_MSG_ID_WINDOW ? next.delete(next.keySeq().first() as string) : next;
};

export const evolveChat = (s: ChatState, e: ChatEvent): ChatState => {
  if (e.type === 'ChatCreated') {
    return { exists: true, chatId: e.data.chatId, members: e.data.members, messageCount: 0, messages: IMap(), readThrough: IMap(), clientMsgIds: OrderedMap() };
  }
  if (!s.exists) return s;
  switch (e.type) {
    case 'MessageSent':
      return {
        ...s,
        messageCount: e.data.seq,
        messages: s.messages.set(e.data.messageId, { seq: e.data.seq, senderId: e.data.senderId, liked: false }),
        clientMsgIds:
          e.data.clientMsgId === undefined ? s.clientMsgIds : remember(s.clientMsgIds, clientMsgKey(e.data.senderId, e.data.clientMsgId), e.data.messageId),
      };
    case 'MessageLiked':
    case 'MessageUnliked': {
      const message = s.messages.get(e.data.messageId);
      if (message === undefined) return s;
      return { ...s, messages: s.messages.set(e.data.messageId, { ...message, liked: e.type === 'MessageLiked' }) };
    }
    case 'MessagesRead':
      return { ...s, readThrough: s.readThrough.set(e.data.readerId, Math.max(e.data.throughSeq, s.readThrough.get(e.data.readerId) ?? 0)) };
    case 'RoomAnnounced':
      return s;
  }
};
