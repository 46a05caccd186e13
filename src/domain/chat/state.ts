import type { Map as IMap } from 'immutable';
import type { Recent } from '../shared/recent.js';

/**
 * How many recent client message ids a chat remembers: a client re-sends only what was not
 * acknowledged when it lost its socket, so a repeat comes within a few messages of the original.
 */
export const CLIENT_MSG_ID_WINDOW = 1000;

/**
 * How many recent like toggles a chat remembers. A message's `liked` comes on the command,
 * looked up in the read models after they caught up with the log's head; the state is at least
 * that new, so only toggles stored between the lookup and the decision can be missing from the
 * lookup, and they are in this window unless more than this many came in between: two members
 * toggling at the socket rate limit (20 frames/s each) fill it in over six seconds.
 */
export const LIKE_WINDOW = 256;

export const clientMsgKey = (senderId: string, clientMsgId: string): string => `${senderId} ${clientMsgId}`;

/**
 * A chat's state is bounded whatever its length: no per-message data but the two windows.
 * Facts about an older message (that it is in this chat, its sender, seq and like) come on the
 * command (see MessageFacts).
 */
export type ChatState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly chatId: string;
      readonly members: readonly [string, string];
      readonly messageCount: number;
      /** Per reader: highest seq read of the other member's messages. */
      readonly readThrough: IMap<string, number>;
      /** `sender client_msg_id` → message id, for the last CLIENT_MSG_ID_WINDOW messages that carried one. */
      readonly clientMsgIds: Recent<string>;
      /** message id → liked after its latest toggle, for the last LIKE_WINDOW toggles (oldest first). */
      readonly recentLikes: Recent<boolean>;
    };

export const initialChatState: ChatState = { exists: false };

export const isMember = (s: ChatState, userId: string): boolean => s.exists && (s.members[0] === userId || s.members[1] === userId);

export const otherMember = (members: readonly [string, string], userId: string): string => (members[0] === userId ? members[1] : members[0]);

/** Rough bytes in memory: per window entry, two short strings and a persistent-map node. */
export const chatStateSize = (s: ChatState): number => (s.exists ? 600 + s.clientMsgIds.size * 260 + s.recentLikes.size * 140 + s.readThrough.size * 120 : 64);
