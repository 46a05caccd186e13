import { Map as IMap } from 'immutable';
import { Recent } from '../shared/recent.js';
import type { ChatEvent } from './events.js';
import { CLIENT_MSG_ID_WINDOW, clientMsgKey, LIKE_WINDOW, type ChatState } from './state.js';

export const evolveChat = (s: ChatState, e: ChatEvent): ChatState => {
  if (e.type === 'ChatCreated') {
    return {
      exists: true,
      chatId: e.data.chatId,
      members: e.data.members,
      messageCount: 0,
      readThrough: IMap(),
      clientMsgIds: Recent.empty(CLIENT_MSG_ID_WINDOW),
      recentLikes: Recent.empty(LIKE_WINDOW),
    };
  }
  if (!s.exists) return s;
  switch (e.type) {
    case 'MessageSent':
      return {
        ...s,
        messageCount: e.data.seq,
        clientMsgIds:
          e.data.clientMsgId === undefined ? s.clientMsgIds : s.clientMsgIds.set(clientMsgKey(e.data.senderId, e.data.clientMsgId), e.data.messageId),
      };
    case 'MessageLiked':
    case 'MessageUnliked':
      return { ...s, recentLikes: s.recentLikes.set(e.data.messageId, e.type === 'MessageLiked') };
    case 'MessagesRead':
      return { ...s, readThrough: s.readThrough.set(e.data.readerId, Math.max(e.data.throughSeq, s.readThrough.get(e.data.readerId) ?? 0)) };
    case 'RoomAnnounced':
      return s;
  }
};
