import { Map as IMap } from 'immutable';
import type { ChatEvent } from './events.js';
import type { ChatState } from './state.js';

export const evolveChat = (s: ChatState, e: ChatEvent): ChatState => {
  if (e.type === 'ChatCreated') {
    return { exists: true, chatId: e.data.chatId, members: e.data.members, messageCount: 0, messages: IMap(), readThrough: IMap() };
  }
  if (!s.exists) return s;
  switch (e.type) {
    case 'MessageSent':
      return {
        ...s,
        messageCount: e.data.seq,
        messages: s.messages.set(e.data.messageId, { seq: e.data.seq, senderId: e.data.senderId, liked: false }),
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
