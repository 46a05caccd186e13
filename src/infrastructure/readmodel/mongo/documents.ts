import type { Document, Filter, Sort, UpdateFilter } from 'mongodb';
import { notificationSubjectId } from '../../../application/notifications/notification-data.js';
import type { Position } from '../../../application/ports/event-store.js';
import type { PageRequest, ReadFilter, ReadModelChange } from '../../../application/ports/read-model.js';
import { positionKey } from '../position-key.js';
import type { BlockDoc, CheckpointDoc, CollectionName, Docs, MemberDoc, MessageDoc, NotificationDoc, UserDoc } from './collections.js';

/**
 * Every filter, update and pipeline the MongoDB read models send, as pure functions: the
 * adapter only executes them, and tests evaluate them in memory (mingo) without a server.
 */

export interface UpdateWrite<C extends CollectionName = CollectionName> {
  readonly kind: 'update';
  readonly collection: C;
  readonly filter: Filter<Docs[C]>;
  readonly update: UpdateFilter<Docs[C]>;
  readonly many: boolean;
  /**
   * Insert when nothing matches. A guarded upsert (filter on `_pos`) that finds the document
   * already newer fails on the unique key: the executor takes that duplicate-key error as "already applied".
   */
  readonly upsert: boolean;
}

/** A set-based write: an aggregation over users ending in `$merge`. */
export interface AggregateWrite {
  readonly kind: 'aggregate';
  readonly collection: 'users';
  readonly pipeline: readonly Document[];
}

export type WriteOp = { [C in CollectionName]: UpdateWrite<C> }[CollectionName] | AggregateWrite;

const write = <C extends CollectionName>(
  collection: C,
  filter: Filter<Docs[C]>,
  update: UpdateFilter<Docs[C]>,
  options: { readonly upsert?: boolean; readonly many?: boolean } = {},
): UpdateWrite<C> => ({ kind: 'update', collection, filter, update, upsert: options.upsert ?? false, many: options.many ?? false });

/** Matches only documents that have not seen the change `key` (nor any later one). */
const notYet = (key: string): { $lt: string } => ({ $lt: key });

/** What MarkMessagesRead needs to know first: the sender's messages still unread past the new watermark. */
export const unreadCountFilter = (c: Extract<ReadModelChange, { kind: 'MarkMessagesRead' }>): Filter<MessageDoc> => ({
  chat_id: c.chatId,
  sender_id: c.senderId,
  seq: { $gt: c.throughSeq },
});

export interface WriteFacts {
  /** For MarkMessagesRead: the count of `unreadCountFilter`, read just before. */
  readonly unreadAfter: number;
}

/** The writes of one change, in order. `key` is its change key (position-key.ts). */
export const writesFor = (c: ReadModelChange, key: string, facts: WriteFacts = { unreadAfter: 0 }): readonly WriteOp[] => {
  switch (c.kind) {
    case 'UpsertUser':
      return [
        write(
          'users',
          { _id: c.userId, _pos: notYet(key) },
          {
            $set: { username: c.username, nickname: c.nickname, avatar: c.avatar, erased: c.erased === true, profile_pos: key, _pos: key },
            $setOnInsert: { online: false, _created: key },
          },
          { upsert: true },
        ),
      ];
    case 'ClaimUsername':
      return [
        write(
          'users',
          { username: c.username, _id: { $ne: c.userId }, _pos: notYet(key) },
          { $set: { username: '', profile_pos: key, _pos: key } },
          { many: true },
        ),
        write('users', { _id: c.userId, _pos: notYet(key) }, { $set: { username: c.username, profile_pos: key, _pos: key } }),
      ];
    case 'EraseUser':
      return [
        write(
          'users',
          { _id: c.userId, _pos: notYet(key) },
          { $set: { username: c.alias, nickname: '', avatar: '', erased: true, profile_pos: key, _pos: key } },
        ),
      ];
    case 'EraseMessagesOf':
      // Idempotent as it is: a redelivery empties what is already empty.
      return [write('messages', { sender_id: c.userId, erased: { $ne: true } }, { $set: { content: '', erased: true } }, { many: true })];
    case 'SetOnline':
      return [write('users', { _id: c.userId, _pos: notYet(key) }, { $set: { online: c.online, _pos: key } })];
    case 'CreateChat': {
      const [a, b] = c.members;
      const member = (userId: string, peerId: string): WriteOp =>
        write(
          'members',
          { chat_id: c.chatId, user_id: userId },
          { $setOnInsert: { peer_id: peerId, last_activity: c.at, activity_pos: key, read_through: 0, unread_count: 0, _pos: key } },
          { upsert: true },
        );
      return [
        write('chats', { _id: c.chatId }, { $setOnInsert: { members: [a, b], created_at: c.at, message_count: 0, last_seq: 0, _pos: key } }, { upsert: true }),
        member(a, b),
        member(b, a),
      ];
    }
    case 'AddMessage': {
      const activity = { last_activity: c.date, activity_pos: key, _pos: key };
      return [
        write(
          'messages',
          { _id: c.messageId },
          {
            $setOnInsert: {
              chat_id: c.chatId,
              seq: c.seq,
              sender_id: c.senderId,
              content: c.content,
              date: c.date,
              liked: false,
              ...(c.erased === true ? { erased: true } : {}),
              _pos: key,
            },
          },
          { upsert: true },
        ),
        write('chats', { _id: c.chatId, _pos: notYet(key) }, { $inc: { message_count: 1 }, $max: { last_seq: c.seq }, $set: { _pos: key } }),
        write('members', { chat_id: c.chatId, user_id: c.senderId, _pos: notYet(key) }, { $set: activity }),
        write('members', { chat_id: c.chatId, user_id: { $ne: c.senderId }, _pos: notYet(key) }, { $set: activity, $inc: { unread_count: 1 } }),
      ];
    }
    case 'SetLiked':
      return [write('messages', { _id: c.messageId, chat_id: c.chatId, _pos: notYet(key) }, { $set: { liked: c.liked, _pos: key } })];
    case 'MarkMessagesRead':
      return [
        write(
          'members',
          { chat_id: c.chatId, user_id: c.readerId, read_through: { $lt: c.throughSeq }, _pos: notYet(key) },
          { $set: { read_through: c.throughSeq, unread_count: facts.unreadAfter, _pos: key } },
        ),
      ];
    case 'AddNotification':
      return [
        write(
          'notifications',
          { user_id: c.userId, notification_id: c.notificationId },
          {
            $setOnInsert: {
              action: c.action,
              data: { ...c.data },
              subject_id: notificationSubjectId(c.action, c.data) ?? null,
              is_read: false,
              date: c.date,
              _created: key,
            },
          },
          { upsert: true },
        ),
      ];
    case 'AddNotificationForAllUsers':
      return [{ kind: 'aggregate', collection: 'users', pipeline: fanOutPipeline(c, key) }];
    case 'MarkNotificationRead':
      return [write('notifications', { user_id: c.userId, notification_id: c.notificationId }, { $set: { is_read: true } })];
    case 'MarkNotificationReadById':
      return [write('notifications', { notification_id: c.notificationId, is_read: false }, { $set: { is_read: true } }, { many: true })];
    case 'MarkAllNotificationsRead':
      // Only what existed at this change: a redelivery must not read notifications added after it.
      return [write('notifications', { user_id: c.userId, is_read: false, _created: notYet(key) }, { $set: { is_read: true } }, { many: true })];
    case 'Block':
      return [
        write(
          'blocks',
          { user_id: c.userId, blocked_id: c.blockedId, active: false, _pos: notYet(key) },
          { $set: { active: true, at: c.at, _pos: key } },
          { upsert: true },
        ),
      ];
    case 'Unblock':
      return [write('blocks', { user_id: c.userId, blocked_id: c.blockedId, active: true, _pos: notYet(key) }, { $set: { active: false, _pos: key } })];
  }
};

/**
 * One notification per user known before this change (`_created < key`, so a redelivery does
 * not reach users registered after it), merged on the unique (user_id, notification_id):
 * existing ones are kept as they are (possibly read since).
 */
export const fanOutPipeline = (c: Extract<ReadModelChange, { kind: 'AddNotificationForAllUsers' }>, key: string): readonly Document[] => [
  { $match: { _id: { $nin: [...c.exceptUserIds] }, _created: { $lt: key } } },
  {
    $project: {
      _id: 0,
      user_id: '$_id',
      notification_id: { $literal: c.notificationId },
      action: { $literal: c.action },
      data: { $literal: { ...c.data } },
      subject_id: { $literal: notificationSubjectId(c.action, c.data) ?? null },
      is_read: { $literal: false },
      date: { $literal: c.date },
      _created: { $literal: key },
    },
  },
  { $merge: { into: 'notifications', on: ['user_id', 'notification_id'], whenMatched: 'keepExisting', whenNotMatched: 'insert' } },
];

export const checkpointOf = (projection: string): Filter<CheckpointDoc> => ({ _id: projection });

/** Moves the checkpoint forward only. */
export const checkpointWrite = (projection: string, p: Position): UpdateWrite<'checkpoints'> =>
  write(
    'checkpoints',
    { _id: projection, key: { $lt: positionKey(p) } },
    { $set: { commit: p.commit.toString(), prepare: p.prepare.toString(), key: positionKey(p) } },
    { upsert: true },
  );

// ---- Reads -------------------------------------------------------------------------------

export interface FindSpec<T> {
  readonly filter: Filter<T>;
  readonly sort: Sort;
}

export const pageOf = (page: PageRequest): { readonly skip: number; readonly limit: number } => ({
  skip: Math.max(0, Math.trunc(page.offset)),
  limit: Math.max(0, Math.trunc(page.limit)),
});

export const userById = (userId: string): Filter<UserDoc> => ({ _id: userId });

export const usersByIds = (ids: readonly string[]): Filter<UserDoc> => ({ _id: { $in: [...new Set(ids)] } });

export const userByUsername = (username: string): FindSpec<UserDoc> => ({ filter: { username }, sort: { profile_pos: -1 } });

/** Paged by id: `_id` is the primary key, so this is an index range. */
export const userIdsAfter = (afterUserId: string | undefined): FindSpec<UserDoc> => ({
  filter: afterUserId === undefined ? {} : { _id: { $gt: afterUserId } },
  sort: { _id: 1 },
});

export const onlineUsers: FindSpec<UserDoc> = { filter: { online: true }, sort: { _id: 1 } };

export const chatsOf = (userId: string): FindSpec<MemberDoc> => ({
  filter: { user_id: userId },
  sort: { last_activity: -1, activity_pos: -1 },
});

export const memberOf = (userId: string, chatId: string): Filter<MemberDoc> => ({ user_id: userId, chat_id: chatId });

export const membersOfChats = (chatIds: readonly string[]): Filter<MemberDoc> => ({ chat_id: { $in: [...chatIds] } });

/** The newest message of each chat (walks the (chat_id, seq) index). */
export const lastMessagesPipeline = (chatIds: readonly string[]): readonly Document[] => [
  { $match: { chat_id: { $in: [...chatIds] } } },
  { $sort: { chat_id: 1, seq: -1 } },
  { $group: { _id: '$chat_id', message: { $first: '$$ROOT' } } },
];

export interface LastMessage {
  readonly _id: string;
  readonly message: MessageDoc;
}

/** Active blocks either way between the viewer and any of the peers. */
export const blocksBetween = (viewerId: string, peerIds: readonly string[]): Filter<BlockDoc> => ({
  active: true,
  $or: [
    { user_id: viewerId, blocked_id: { $in: [...peerIds] } },
    { user_id: { $in: [...peerIds] }, blocked_id: viewerId },
  ],
});

export const messagesOf = (chatId: string): FindSpec<MessageDoc> => ({ filter: { chat_id: chatId }, sort: { seq: -1 } });

const READ_STATE: Record<ReadFilter, Filter<NotificationDoc>> = { all: {}, unread: { is_read: false }, read: { is_read: true } };

export const notificationsOf = (userId: string, filter: ReadFilter): FindSpec<NotificationDoc> => ({
  filter: { user_id: userId, ...READ_STATE[filter] },
  sort: { date: -1, _created: -1 },
});

export const notificationOf = (userId: string, notificationId: string): Filter<NotificationDoc> => ({
  user_id: userId,
  notification_id: notificationId,
});

export const blocksOf = (userId: string): FindSpec<BlockDoc> => ({ filter: { user_id: userId, active: true }, sort: { at: -1, _pos: -1 } });
