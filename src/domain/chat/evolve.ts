import { Map as IMap, OrderedMap } from 'immutable';
import type { ChatEvent } from './events.js';
import { CLIENT_MSG_ID_WINDOW, clientMsgKey, LIKE_WINDOW, type ChatState } from './state.js';

/** Remembers `key` as the newest entry, forgetting the oldest past `window`. */
const remember = <V>(entries: OrderedMap<string, V>, key: string, value: V, window: number): OrderedMap<string, V> => {
  const next = entries.delete(key).set(key, value);
  return next.size > window ? next.delete(next.keySeq().first() as string) : next;
};

export const evolveChat = (s: ChatState, e: ChatEvent): ChatState => {
  if (e.type === 'ChatCreated') {
    return {
      exists: true,
      chatId: e.data.chatId,
      members: e.data.members,
      messageCount: 0,
      readThrough: IMap(),
      clientMsgIds: OrderedMap(),
      recentLikes: OrderedMap(),
    };
  }
  if (!s.exists) return s;
  switch (e.type) {
    case 'MessageSent':
      return {
        ...s,
        messageCount: e.data.seq,
        clientMsgIds:
          e.data.clientMsgId === undefined
            ? s.clientMsgIds
            : remember(s.clientMsgIds, clientMsgKey(e.data.senderId, e.data.clientMsgId), e.data.messageId, CLIENT_MSG_ID_WINDOW),
      };
    case 'MessageLiked':
    case 'MessageUnliked':
      return { ...s, recentLikes: remember(s.recentLikes, e.data.messageId, e.type === 'MessageLiked', LIKE_WINDOW) };
    case 'MessagesRead':
      return { ...s, readThrough: s.readThrough.set(e.data.readerId, Math.max(e.data.throughSeq, s.readThrough.get(e.data.readerId) ?? 0)) };
    case 'RoomAnnounced':
      return s;
  }
};
