import type { ChatMessage, GameOptions, ServerFrameData } from './frames.js';

/** A page of a list: `limit` (1–100, default 10) and `offset` ask for it. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly count: number;
}

export type PageQuery = { readonly limit?: number; readonly offset?: number };

interface Peer {
  readonly chat_id: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly is_online: boolean;
  readonly is_blocked_user: boolean;
  readonly is_blocked_by_user: boolean;
  /** The other member was erased: `username` is their alias (it still opens the chat), nickname and avatar are empty. */
  readonly erased?: true;
}

export interface Chat extends Peer {
  /** The last 30, newest first. */
  readonly messages: readonly ChatMessage[];
}

export interface ChatPreview extends Peer {
  readonly unread_messages_count: number;
  readonly last_message: ChatMessage | null;
}

export type Notification =
  | { readonly id: string; readonly action: 'game_invite'; readonly data: ServerFrameData['game_invite']; readonly is_read: boolean; readonly date: string }
  | { readonly id: string; readonly action: 'new_friend'; readonly data: ServerFrameData['new_friend']; readonly is_read: boolean; readonly date: string }
  | {
      readonly id: string;
      readonly action: 'new_tournament';
      readonly data: ServerFrameData['new_tournament'];
      readonly is_read: boolean;
      readonly date: string;
    };

export interface BlockedUser {
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly erased?: true;
}

export interface HistoryEntry {
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  readonly actor: string | null;
  readonly time: string;
  /** As stored, personal data opened: empty (or a username `erased-…`) once its user was erased. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Present when personal data of the event was erased. */
  readonly erased?: true;
}

export interface ChatAt {
  readonly chat_id: string;
  readonly at: string;
  readonly position: string | null;
  readonly members: readonly string[];
  /** Oldest first. */
  readonly messages: readonly ChatMessage[];
}

export type { ChatMessage, GameOptions };
