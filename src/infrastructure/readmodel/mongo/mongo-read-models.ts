import type { WithId } from 'mongodb';
import type { Position } from '../../../application/ports/event-store.js';
import type { ProjectionGroup } from '../../../application/read-models/groups.js';
import type {
  ChatMessageView,
  ChatPreviewView,
  ChatRecord,
  MessageRecord,
  NotificationView,
  Page,
  PageRequest,
  PositionedChanges,
  ReadFilter,
  ReadModelStore,
  UserRecord,
} from '../../../application/ports/read-model.js';
import { applyBatch, readCheckpoint } from './apply-batch.js';
import { collectionsToReset, type CollectionName, type Docs, type MemberDoc, type UserDoc } from './collections.js';
import type { DocumentDb } from './document-db.js';
import {
  blocksBetween,
  blocksOf,
  chatsOf,
  lastMessagesPipeline,
  memberOf,
  membersOfChats,
  messagesOf,
  notificationOf,
  notificationsOf,
  onlineUsers,
  pageOf,
  userById,
  userByUsername,
  userIdsAfter,
  usersByIds,
  type FindSpec,
  type LastMessage,
} from './documents.js';
import { byId, toMessageView, toNotificationView, toPreviewView, toUserRecord } from './views.js';

const unknownUser = (userId: string): UserRecord => ({ userId, username: '', nickname: '', avatar: '', isOnline: false });

/**
 * The read models over a document database: which documents to fetch for each query (a
 * constant number of round trips per page) and how to assemble the views. Writes go through
 * `applyBatch`, idempotent under redelivery.
 */
export class MongoReadModels implements ReadModelStore {
  constructor(
    protected readonly db: DocumentDb,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async apply(projection: string, batch: readonly PositionedChanges[]): Promise<void> {
    await applyBatch(this.db, projection, batch);
  }

  async checkpoint(projection: string): Promise<Position | undefined> {
    return readCheckpoint(this.db, projection);
  }

  async reset(groups?: readonly ProjectionGroup[]): Promise<void> {
    await this.db.clear(collectionsToReset(groups));
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  private async page<C extends CollectionName>(name: C, spec: FindSpec<Docs[C]>, page: PageRequest): Promise<{ docs: WithId<Docs[C]>[]; count: number }> {
    const { skip, limit } = pageOf(page);
    const [docs, count] = await Promise.all([
      limit === 0 ? Promise.resolve([]) : this.db.find(name, spec.filter, { sort: spec.sort, skip, limit }),
      this.db.count(name, spec.filter),
    ]);
    return { docs, count };
  }

  private async users(ids: readonly string[]): Promise<ReadonlyMap<string, UserDoc>> {
    return ids.length === 0 ? new Map() : byId(await this.db.find('users', usersByIds(ids)));
  }

  async userById(userId: string): Promise<UserRecord | undefined> {
    const [doc] = await this.db.find('users', userById(userId));
    return doc === undefined ? undefined : toUserRecord(doc);
  }

  async userByUsername(username: string): Promise<UserRecord | undefined> {
    const spec = userByUsername(username);
    const [doc] = await this.db.find('users', spec.filter, { sort: spec.sort, limit: 1 });
    return doc === undefined ? undefined : toUserRecord(doc);
  }

  async chat(chatId: string): Promise<ChatRecord | undefined> {
    const [doc] = await this.db.find('chats', { _id: chatId });
    return doc === undefined ? undefined : { chatId: doc._id, members: [doc.members[0], doc.members[1]] };
  }

  async chatIdsOf(userId: string): Promise<readonly string[]> {
    const spec = chatsOf(userId);
    return (await this.db.find('members', spec.filter, { sort: spec.sort })).map((d) => d.chat_id);
  }

  async chatPreviews(viewerId: string, page: PageRequest): Promise<Page<ChatPreviewView>> {
    const { docs, count } = await this.page('members', chatsOf(viewerId), page);
    return { items: await this.previews(viewerId, docs), count };
  }

  async chatPreview(viewerId: string, chatId: string): Promise<ChatPreviewView | undefined> {
    const docs = await this.db.find('members', memberOf(viewerId, chatId));
    return (await this.previews(viewerId, docs))[0];
  }

  private async previews(viewerId: string, page: readonly MemberDoc[]): Promise<ChatPreviewView[]> {
    if (page.length === 0) return [];
    const chatIds = page.map((m) => m.chat_id);
    const peerIds = page.map((m) => m.peer_id);
    const [users, members, last, blocks] = await Promise.all([
      this.users([viewerId, ...peerIds]),
      this.db.find('members', membersOfChats(chatIds)),
      this.db.aggregate<LastMessage>('messages', lastMessagesPipeline(chatIds)),
      this.db.find('blocks', blocksBetween(viewerId, peerIds)),
    ]);
    const lastMessages = new Map(last.map((l) => [l._id, l.message]));
    return page.map((m) => toPreviewView(m, { users, members, lastMessages, blocks }));
  }

  async messages(chatId: string, page: PageRequest): Promise<Page<ChatMessageView>> {
    const [chat] = await this.db.find('chats', { _id: chatId });
    if (chat === undefined) return { items: [], count: 0 };
    const spec = messagesOf(chatId);
    const { skip, limit } = pageOf(page);
    const [docs, members, users] = await Promise.all([
      limit === 0 ? Promise.resolve([]) : this.db.find('messages', spec.filter, { sort: spec.sort, skip, limit }),
      this.db.find('members', membersOfChats([chatId])),
      this.users(chat.members),
    ]);
    return { items: docs.map((m) => toMessageView(m, users, members)), count: chat.message_count };
  }

  async message(chatId: string, messageId: string): Promise<ChatMessageView | undefined> {
    const [[doc], [chat]] = await Promise.all([this.db.find('messages', { _id: messageId, chat_id: chatId }), this.db.find('chats', { _id: chatId })]);
    if (doc === undefined || chat === undefined) return undefined;
    const [members, users] = await Promise.all([this.db.find('members', membersOfChats([chatId])), this.users(chat.members)]);
    return toMessageView(doc, users, members);
  }

  async messageRecord(messageId: string): Promise<MessageRecord | undefined> {
    const [doc] = await this.db.find('messages', { _id: messageId });
    return doc === undefined ? undefined : { chatId: doc.chat_id, senderId: doc.sender_id, seq: doc.seq, liked: doc.liked };
  }

  async notifications(userId: string, filter: ReadFilter, page: PageRequest): Promise<Page<NotificationView>> {
    const { docs, count } = await this.page('notifications', notificationsOf(userId, filter), page);
    const users = await this.users(docs.flatMap((n) => (n.subject_id === null ? [] : [n.subject_id])));
    return { items: docs.map((n) => toNotificationView(n, users)), count };
  }

  async hasNotification(userId: string, notificationId: string): Promise<boolean> {
    return (await this.db.count('notifications', notificationOf(userId, notificationId))) > 0;
  }

  async unreadNotificationIds(userId: string): Promise<readonly string[]> {
    return (await this.db.find('notifications', notificationsOf(userId, 'unread').filter)).map((n) => n.notification_id);
  }

  async blocks(userId: string, page: PageRequest): Promise<Page<UserRecord>> {
    const { docs, count } = await this.page('blocks', blocksOf(userId), page);
    const users = await this.users(docs.map((b) => b.blocked_id));
    return {
      items: docs.map((b) => {
        const u = users.get(b.blocked_id);
        return u === undefined ? unknownUser(b.blocked_id) : toUserRecord(u);
      }),
      count,
    };
  }

  async userIdsAfter(afterUserId: string | undefined, limit: number): Promise<readonly string[]> {
    const n = Math.max(0, Math.trunc(limit));
    if (n === 0) return [];
    const spec = userIdsAfter(afterUserId);
    return (await this.db.find('users', spec.filter, { sort: spec.sort, limit: n })).map((d) => d._id);
  }

  async onlineUserIds(): Promise<readonly string[]> {
    return (await this.db.find('users', onlineUsers.filter, { sort: onlineUsers.sort })).map((d) => d._id);
  }
}
