import type { Position } from './event-store.js';

/**
 * Read-model changes: what a projection asks a store to do for one event. Projections are
 * pure functions from events to these; each store (SQLite, MongoDB) applies a batch together
 * with its checkpoint, so replay and live runs share one code path.
 */
export type ReadModelChange =
  /** `erased`: the profile could not be read (its owner was erased): it shows the user's alias and empty fields. */
  | {
      readonly kind: 'UpsertUser';
      readonly userId: string;
      readonly username: string;
      readonly nickname: string;
      readonly avatar: string;
      readonly at: string;
      readonly erased?: true;
    }
  /** The user was erased: shown as `alias`, nickname and avatar empty, `erased`; every copy of the old profile overwritten. */
  | { readonly kind: 'EraseUser'; readonly userId: string; readonly alias: string }
  /** The user was erased: the content of every message they sent emptied and marked `erased`. */
  | { readonly kind: 'EraseMessagesOf'; readonly userId: string }
  /** `userId` holds `username` now (and is shown with it): every other user showing it is shown without a username. */
  | { readonly kind: 'ClaimUsername'; readonly username: string; readonly userId: string }
  | { readonly kind: 'SetOnline'; readonly userId: string; readonly online: boolean; readonly at: string }
  | { readonly kind: 'CreateChat'; readonly chatId: string; readonly members: readonly [string, string]; readonly at: string }
  | {
      readonly kind: 'AddMessage';
      readonly chatId: string;
      readonly messageId: string;
      readonly senderId: string;
      readonly content: string;
      readonly seq: number;
      readonly date: string;
      /** Its content could not be read (its sender was erased): stored empty. */
      readonly erased?: true;
    }
  | { readonly kind: 'SetLiked'; readonly chatId: string; readonly messageId: string; readonly liked: boolean }
  /** `readerId` has read every message of `senderId` in the chat with seq ≤ `throughSeq`. */
  | { readonly kind: 'MarkMessagesRead'; readonly chatId: string; readonly readerId: string; readonly senderId: string; readonly throughSeq: number }
  | {
      readonly kind: 'AddNotification';
      readonly userId: string;
      readonly notificationId: string;
      readonly action: NotificationAction;
      readonly data: Readonly<Record<string, unknown>>;
      readonly date: string;
    }
  /** One notification for every known user but `exceptUserIds`, all with the same id: set-based, not one write per user in the command path. */
  | {
      readonly kind: 'AddNotificationForAllUsers';
      readonly exceptUserIds: readonly string[];
      readonly notificationId: string;
      readonly action: NotificationAction;
      readonly data: Readonly<Record<string, unknown>>;
      readonly date: string;
    }
  | { readonly kind: 'MarkNotificationRead'; readonly userId: string; readonly notificationId: string }
  /** For the invitee's invitation notification once answered or withdrawn. */
  | { readonly kind: 'MarkNotificationReadById'; readonly notificationId: string }
  | { readonly kind: 'MarkAllNotificationsRead'; readonly userId: string; readonly at: string }
  | { readonly kind: 'Block'; readonly userId: string; readonly blockedId: string; readonly at: string }
  | { readonly kind: 'Unblock'; readonly userId: string; readonly blockedId: string };

export interface PositionedChanges {
  readonly position: Position;
  readonly changes: readonly ReadModelChange[];
}

export type NotificationAction = 'game_invite' | 'new_tournament' | 'new_friend';

export interface Page<T> {
  readonly items: readonly T[];
  readonly count: number;
}

export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
}

export interface UserRecord {
  readonly userId: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly isOnline: boolean;
  /** Erased: shown by its alias, nickname and avatar empty. */
  readonly erased?: true;
}

/** As on the wire (PROTOCOL.md `ChatMessage`), from the point of view of one reader. */
export interface ChatMessageView {
  readonly id: string;
  readonly content: string;
  readonly date: string;
  readonly sender: string;
  readonly is_read: boolean;
  readonly is_liked: boolean;
  /** Its sender was erased: `content` is empty. */
  readonly erased?: true;
}

export interface ChatPreviewView {
  readonly chat_id: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly is_online: boolean;
  readonly unread_messages_count: number;
  readonly last_message: ChatMessageView | null;
  readonly is_blocked_user: boolean;
  readonly is_blocked_by_user: boolean;
  /** The other member was erased: `username` is their alias (it still opens the chat), nickname and avatar are empty. */
  readonly erased?: true;
}

export interface NotificationView {
  readonly id: string;
  readonly action: NotificationAction;
  readonly data: Readonly<Record<string, unknown>>;
  readonly is_read: boolean;
  readonly date: string;
}

export type ReadFilter = 'all' | 'unread' | 'read';

export interface ChatRecord {
  readonly chatId: string;
  readonly members: readonly [string, string];
}

/** What commands need to know of a stored message (MessageFacts in the chat decider). */
export interface MessageRecord {
  readonly chatId: string;
  readonly senderId: string;
  readonly seq: number;
  readonly liked: boolean;
}

/** What commands look up in the read models: by id, and the lists the sweeps go through. */
export interface Lookups {
  userById(userId: string): Promise<UserRecord | undefined>;
  userByUsername(username: string): Promise<UserRecord | undefined>;
  chat(chatId: string): Promise<ChatRecord | undefined>;
  chatIdsOf(userId: string): Promise<readonly string[]>;
  /** A message's chat, sender, seq and like, by its id alone (for like and read commands). */
  messageRecord(messageId: string): Promise<MessageRecord | undefined>;
  /** One message of a chat, as `messages` shows it (an idempotent send acknowledges with it). */
  message(chatId: string, messageId: string): Promise<ChatMessageView | undefined>;
  hasNotification(userId: string, notificationId: string): Promise<boolean>;
  /** The ids of the user's unread notifications, in no particular order (mark all as read names them). */
  unreadNotificationIds(userId: string): Promise<readonly string[]>;
  /** Every known user id (for sweeps), in pages by id. */
  userIdsAfter(afterUserId: string | undefined, limit: number): Promise<readonly string[]>;
  onlineUserIds(): Promise<readonly string[]>;
}

/** What REST serves: one user's views, paged. */
export interface Views {
  /** The viewer's chats, most recent activity first. */
  chatPreviews(viewerId: string, page: PageRequest): Promise<Page<ChatPreviewView>>;
  /** One preview (for `PUT /chats/{username}`). */
  chatPreview(viewerId: string, chatId: string): Promise<ChatPreviewView | undefined>;
  /** Newest first. */
  messages(chatId: string, page: PageRequest): Promise<Page<ChatMessageView>>;
  /** Newest first. */
  notifications(userId: string, filter: ReadFilter, page: PageRequest): Promise<Page<NotificationView>>;
  /** Users `userId` blocked, most recent first. */
  blocks(userId: string, page: PageRequest): Promise<Page<UserRecord>>;
}

/** Every query of the read models: what REST and the audit read. */
export type ReadModelQueries = Lookups & Views;

export interface ReadModelStore extends Lookups, Views {
  /**
   * Applies the changes of consecutive events and moves the projection's checkpoint to the
   * last position: in one transaction (SQLite), or idempotently under redelivery (MongoDB).
   */
  apply(projection: string, batch: readonly PositionedChanges[]): Promise<void>;
  checkpoint(projection: string): Promise<Position | undefined>;
  /**
   * Drops every read-model row and checkpoint (for rebuilds and tests); with `groups`, only the
   * rows of those read models (see projections/groups.ts) and the checkpoints.
   */
  reset(groups?: readonly ('users' | 'chats' | 'notifications' | 'blocks')[]): Promise<void>;
  close(): Promise<void>;
}
