import type { IndexDescription } from 'mongodb';
import type { ProjectionGroup } from '../../../application/read-models/groups.js';
import type { NotificationAction } from '../../../application/ports/read-model.js';

/**
 * Document shapes of the MongoDB read models. Type aliases rather than interfaces: the driver's
 * `Collection<T>` wants an indexable type, and aliases are, without loosening their fields.
 *
 * `_pos` is the change key (position-key.ts) of the last change a document reflects: every
 * order-sensitive update is filtered on `_pos < key` (and stamps `_pos: key`), so a change
 * redelivered after a crash matches nothing. `_created` is the key of the change that created
 * the document, for set-based updates that must only see documents older than themselves.
 */

export type UserDoc = {
  _id: string;
  username: string;
  nickname: string;
  avatar: string;
  online: boolean;
  /** The user was erased: `username` is their alias, nickname and avatar are empty (absent in documents written before erasure existed). */
  erased?: boolean;
  /** Key of the last profile change: the latest claim to a reused username wins. */
  profile_pos: string;
  _created: string;
  _pos: string;
};

export type ChatDoc = {
  _id: string;
  members: [string, string];
  created_at: string;
  message_count: number;
  last_seq: number;
  _pos: string;
};

/** One per (chat, member): the member's view of the chat. */
export type MemberDoc = {
  chat_id: string;
  user_id: string;
  peer_id: string;
  last_activity: string;
  activity_pos: string;
  /** Highest seq of the peer's messages this member has read. */
  read_through: number;
  /** The peer's messages with seq > read_through. */
  unread_count: number;
  _pos: string;
};

export type MessageDoc = {
  _id: string;
  chat_id: string;
  seq: number;
  sender_id: string;
  content: string;
  date: string;
  liked: boolean;
  /** Its sender was erased: `content` is empty. */
  erased?: boolean;
  _pos: string;
};

/** Read state only ever goes false → true, so it needs no position guard. */
export type NotificationDoc = {
  user_id: string;
  notification_id: string;
  action: NotificationAction;
  data: Record<string, unknown>;
  subject_id: string | null;
  is_read: boolean;
  date: string;
  _created: string;
};

/** Unblocking keeps the document (`active: false`): deleting it would forget its `_pos`. */
export type BlockDoc = {
  user_id: string;
  blocked_id: string;
  active: boolean;
  at: string;
  _pos: string;
};

export type CheckpointDoc = {
  _id: string;
  commit: string;
  prepare: string;
  /** positionKey of (commit, prepare): compares as strings. */
  key: string;
};

export interface Docs {
  users: UserDoc;
  chats: ChatDoc;
  members: MemberDoc;
  messages: MessageDoc;
  notifications: NotificationDoc;
  blocks: BlockDoc;
  checkpoints: CheckpointDoc;
}

export type CollectionName = keyof Docs;

export const COLLECTIONS: readonly CollectionName[] = ['users', 'chats', 'members', 'messages', 'notifications', 'blocks', 'checkpoints'];

/** The collections of each read-model group (projections/groups.ts); a new group must name its own. */
export const COLLECTIONS_OF_GROUP: Readonly<Record<ProjectionGroup, readonly CollectionName[]>> = {
  users: ['users'],
  chats: ['chats', 'members', 'messages'],
  notifications: ['notifications'],
  blocks: ['blocks'],
};

/**
 * What `reset(groups)` empties: the groups' collections and the checkpoints. One projection
 * feeds every group, so a kept checkpoint would skip the very events the emptied collections
 * need: the store must be re-projected from the start for those groups.
 */
export const collectionsToReset = (groups: readonly ProjectionGroup[] | undefined): readonly CollectionName[] =>
  groups === undefined ? COLLECTIONS : [...new Set([...groups.flatMap((g) => COLLECTIONS_OF_GROUP[g]), 'checkpoints' as const])];

/** Created at start-up. Unique indexes double as the duplicate-key guard of upserts. */
export const INDEXES: { readonly [C in CollectionName]: readonly IndexDescription[] } = {
  users: [
    { key: { username: 1, profile_pos: -1 }, name: 'username' },
    { key: { online: 1, _id: 1 }, name: 'online' },
  ],
  chats: [],
  members: [
    { key: { chat_id: 1, user_id: 1 }, name: 'chat_user', unique: true },
    { key: { user_id: 1, last_activity: -1, activity_pos: -1 }, name: 'activity' },
  ],
  messages: [
    { key: { chat_id: 1, seq: -1 }, name: 'chat_seq', unique: true },
    { key: { chat_id: 1, sender_id: 1, seq: 1 }, name: 'chat_sender_seq' },
  ],
  notifications: [
    { key: { user_id: 1, notification_id: 1 }, name: 'user_notification', unique: true },
    { key: { user_id: 1, date: -1, _created: -1 }, name: 'newest' },
    { key: { user_id: 1, is_read: 1, date: -1, _created: -1 }, name: 'newest_by_read' },
    { key: { notification_id: 1 }, name: 'notification' },
  ],
  blocks: [
    { key: { user_id: 1, blocked_id: 1 }, name: 'user_blocked', unique: true },
    { key: { user_id: 1, active: 1, at: -1, _pos: -1 }, name: 'recent' },
  ],
  checkpoints: [],
};
