import { notificationData } from '../../../application/notifications/notification-data.js';
import type { ChatMessageView, ChatPreviewView, NotificationAction, NotificationView, UserRecord } from '../../../application/ports/read-model.js';

/** Row shapes of the queries in queries.ts and their mapping to the port's views. */

export interface UserRow {
  readonly id: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly online: number;
  readonly erased: number;
}

/** `erased: true` present only when it is (answers for everyone else are as before erasure existed). */
const erasedMark = (erased: number | null): { readonly erased?: true } => (erased === 1 ? { erased: true } : {});

export const toUser = (r: UserRow): UserRecord => ({
  userId: r.id,
  username: r.username,
  nickname: r.nickname,
  avatar: r.avatar,
  isOnline: r.online === 1,
  ...erasedMark(r.erased),
});

export interface MessageRow {
  readonly id: string;
  readonly content: string;
  readonly date: string;
  readonly sender: string;
  readonly is_read: number;
  readonly is_liked: number;
  readonly erased: number;
}

export const toMessage = (r: MessageRow): ChatMessageView => ({
  id: r.id,
  content: r.content,
  date: r.date,
  sender: r.sender,
  is_read: r.is_read === 1,
  is_liked: r.is_liked === 1,
  ...erasedMark(r.erased),
});

export interface PreviewRow {
  readonly chat_id: string;
  readonly unread: number;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly online: number;
  readonly erased: number;
  readonly blocked_user: number;
  readonly blocked_by_user: number;
  readonly lm_id: string | null;
  readonly lm_content: string | null;
  readonly lm_date: string | null;
  readonly lm_sender: string | null;
  readonly lm_is_read: number | null;
  readonly lm_is_liked: number | null;
  readonly lm_erased: number | null;
}

export const toPreview = (r: PreviewRow): ChatPreviewView => ({
  chat_id: r.chat_id,
  username: r.username,
  nickname: r.nickname,
  avatar: r.avatar,
  is_online: r.online === 1,
  unread_messages_count: r.unread,
  last_message:
    r.lm_id === null
      ? null
      : {
          id: r.lm_id,
          content: r.lm_content ?? '',
          date: r.lm_date ?? '',
          sender: r.lm_sender ?? '',
          is_read: r.lm_is_read === 1,
          is_liked: r.lm_is_liked === 1,
          ...erasedMark(r.lm_erased),
        },
  is_blocked_user: r.blocked_user === 1,
  is_blocked_by_user: r.blocked_by_user === 1,
  ...erasedMark(r.erased),
});

export interface NotificationRow {
  readonly id: string;
  readonly action: string;
  readonly data: string;
  readonly is_read: number;
  readonly date: string;
  readonly s_id: string | null;
  readonly s_username: string | null;
  readonly s_nickname: string | null;
  readonly s_avatar: string | null;
  readonly s_online: number | null;
  readonly s_erased: number | null;
}

const ACTIONS: readonly NotificationAction[] = ['game_invite', 'new_tournament', 'new_friend'];

const isAction = (s: string): s is NotificationAction => (ACTIONS as readonly string[]).includes(s);

const parseData = (json: string): Readonly<Record<string, unknown>> => {
  const v: unknown = JSON.parse(json);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
};

export const toNotification = (r: NotificationRow): NotificationView => {
  if (!isAction(r.action)) throw new Error(`SQLite read models: unknown notification action ${r.action}`);
  const subject =
    r.s_id === null
      ? undefined
      : toUser({
          id: r.s_id,
          username: r.s_username ?? '',
          nickname: r.s_nickname ?? '',
          avatar: r.s_avatar ?? '',
          online: r.s_online ?? 0,
          erased: r.s_erased ?? 0,
        });
  return { id: r.id, action: r.action, data: notificationData(r.action, parseData(r.data), subject), is_read: r.is_read === 1, date: r.date };
};
