import { notificationData } from '../../../application/notifications/notification-data.js';
import type { ChatMessageView, ChatPreviewView, NotificationView, UserRecord } from '../../../application/ports/read-model.js';
import type { BlockDoc, MemberDoc, MessageDoc, NotificationDoc, UserDoc } from './collections.js';

/** Pure assembly of the port's views from the documents the adapter fetched. */

export const toUserRecord = (u: UserDoc): UserRecord => ({
  userId: u._id,
  username: u.username,
  nickname: u.nickname,
  avatar: u.avatar,
  isOnline: u.online,
  ...(u.erased === true ? { erased: true } : {}),
});

/** A message is read when its seq is at or below its recipient's watermark. */
export const toMessageView = (m: MessageDoc, users: ReadonlyMap<string, UserDoc>, members: readonly MemberDoc[]): ChatMessageView => {
  const recipient = members.find((x) => x.chat_id === m.chat_id && x.user_id !== m.sender_id);
  return {
    id: m._id,
    content: m.content,
    date: m.date,
    sender: users.get(m.sender_id)?.username ?? '',
    is_read: m.seq <= (recipient?.read_through ?? 0),
    is_liked: m.liked,
    ...(m.erased === true ? { erased: true } : {}),
  };
};

export interface PreviewContext {
  readonly users: ReadonlyMap<string, UserDoc>;
  /** Both members of every chat on the page. */
  readonly members: readonly MemberDoc[];
  readonly lastMessages: ReadonlyMap<string, MessageDoc>;
  readonly blocks: readonly BlockDoc[];
}

export const toPreviewView = (m: MemberDoc, ctx: PreviewContext): ChatPreviewView => {
  const peer = ctx.users.get(m.peer_id);
  const last = ctx.lastMessages.get(m.chat_id);
  const blocked = (by: string, whom: string): boolean => ctx.blocks.some((b) => b.active && b.user_id === by && b.blocked_id === whom);
  return {
    chat_id: m.chat_id,
    username: peer?.username ?? '',
    nickname: peer?.nickname ?? '',
    avatar: peer?.avatar ?? '',
    is_online: peer?.online ?? false,
    unread_messages_count: m.unread_count,
    last_message: last === undefined ? null : toMessageView(last, ctx.users, ctx.members),
    is_blocked_user: blocked(m.user_id, m.peer_id),
    is_blocked_by_user: blocked(m.peer_id, m.user_id),
    ...(peer?.erased === true ? { erased: true } : {}),
  };
};

export const toNotificationView = (n: NotificationDoc, users: ReadonlyMap<string, UserDoc>): NotificationView => {
  const subject = n.subject_id === null ? undefined : users.get(n.subject_id);
  return {
    id: n.notification_id,
    action: n.action,
    data: notificationData(n.action, n.data, subject === undefined ? undefined : toUserRecord(subject)),
    is_read: n.is_read,
    date: n.date,
  };
};

export const byId = (users: readonly UserDoc[]): ReadonlyMap<string, UserDoc> => new Map(users.map((u) => [u._id, u]));
