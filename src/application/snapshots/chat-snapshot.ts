import { isRight } from 'fp-ts/lib/Either.js';
import { Map as IMap, OrderedMap } from 'immutable';
import * as t from 'io-ts';
import type { ChatState } from '../../domain/chat/state.js';
import type { SnapshotCodec } from '../../domain/shared/decider.js';
import type { Json } from '../../domain/shared/json.js';

const ChatSnapshot = t.union([
  t.type({ exists: t.literal(false) }),
  t.type({
    exists: t.literal(true),
    chatId: t.string,
    members: t.tuple([t.string, t.string]),
    messageCount: t.number,
    readThrough: t.array(t.tuple([t.string, t.number])),
    /** Oldest first, as the windows forget. */
    clientMsgIds: t.array(t.tuple([t.string, t.string])),
    recentLikes: t.array(t.tuple([t.string, t.boolean])),
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
      clientMsgIds: OrderedMap(s.clientMsgIds),
      recentLikes: OrderedMap(s.recentLikes),
    };
  },
};
