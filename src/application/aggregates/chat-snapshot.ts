import { isRight } from 'fp-ts/lib/Either.js';
import { Map as IMap } from 'immutable';
import * as t from 'io-ts';
import { CLIENT_MSG_ID_WINDOW, LIKE_WINDOW, type ChatState } from '../../domain/chat/state.js';
import { Recent } from '../../domain/shared/recent.js';
import type { SnapshotCodec } from '../../domain/shared/decider.js';
import type { Json } from '../../domain/shared/json.js';
import { isBoolean, isNumber, isString, pairsOf } from './pairs.js';

const ChatSnapshot = t.union([
  t.type({ exists: t.literal(false) }),
  t.type({
    exists: t.literal(true),
    chatId: t.string,
    members: t.tuple([t.string, t.string]),
    messageCount: t.number,
    readThrough: pairsOf('ReadThrough', isString, isNumber),
    /** Oldest first, as the windows forget. */
    clientMsgIds: pairsOf('ClientMsgIds', isString, isString),
    recentLikes: pairsOf('RecentLikes', isString, isBoolean),
  }),
]);

/** The bounded chat state as JSON: its windows as ordered pairs. Version 1: members, count, read-through, both windows. */
export const chatSnapshot: SnapshotCodec<ChatState> = {
  version: 1,
  encode: (s): Json => {
    if (!s.exists) return { exists: false };
    return {
      exists: true,
      chatId: s.chatId,
      members: [...s.members],
      messageCount: s.messageCount,
      readThrough: [...s.readThrough.entries()],
      clientMsgIds: [...s.clientMsgIds.entries()],
      recentLikes: [...s.recentLikes.entries()],
    };
  },
  decode: (json) => {
    const decoded = ChatSnapshot.decode(json);
    if (!isRight(decoded)) return undefined;
    const s = decoded.right;
    if (!s.exists) return { exists: false };
    return {
      exists: true,
      chatId: s.chatId,
      members: s.members,
      messageCount: s.messageCount,
      readThrough: IMap(s.readThrough),
      clientMsgIds: Recent.of(CLIENT_MSG_ID_WINDOW, s.clientMsgIds),
      recentLikes: Recent.of(LIKE_WINDOW, s.recentLikes),
    };
  },
};
