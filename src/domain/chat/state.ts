import { Map as IMap } from 'immutable';

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
    };

export const initialChatState: ChatState = { exists: false };

export const isMember = (s: ChatState, userId: string): boolean => s.exists && (s.members[0] === userId || s.members[1] === userId);

export const otherMember = (members: readonly [string, string], userId: string): string => (members[0] === userId ? members[1] : members[0]);
