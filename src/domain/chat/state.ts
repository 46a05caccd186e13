import { Map as IMap, type OrderedMap } from 'immutable';

/**
 * How many recent client message ids a chat remembers: a client re-sends only what was not
 * acknowledged when it lost its socket, so a repeat comes within a few messages of the original.
 */
export const CLIENT_MSG_ID_WINDOW = 1000;

export const clientMsgKey = (senderId: string, clientMsgId: string): string => `${senderId} ${clientMsgId}`;

export interface MessageInfo {
  readonly seq: number;
  readonly senderId: string;
  readonly liked: boolean;
}

/** Persistent maps keep `evolve` O(log n) per event, so replaying a long chat stays linear. */
export type ChatState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly chatId: string;
      readonly members: readonly [string, string];
      readonly messageCount: number;
      readonly messages: IMap<string, MessageInfo>;
      /** Per reader: highest seq read of the other member's messages. */
      readonly readThrough: IMap<string, number>;
      /** `sender client_msg_id` → message id, for the last CLIENT_MSG_ID_WINDOW messages that carried one. */
      readonly clientMsgIds: OrderedMap<string, string>;
    };

export const initialChatState: ChatState = { exists: false };

export const isMember = (s: ChatState, userId: string): boolean => s.exists && (s.members[0] === userId || s.members[1] === userId);

export const otherMember = (members: readonly [string, string], userId: string): string => (members[0] === userId ? members[1] : members[0]);
