import type { Database, Statement } from 'better-sqlite3';
import type { Position } from '../../../application/ports/event-store.js';
import type { ReadFilter } from '../../../application/ports/read-model.js';
import type { MessageRow, NotificationRow, PreviewRow, UserRow } from './rows.js';

const USER_COLUMNS = 'id, username, nickname, avatar, online, erased';

/**
 * One preview per chat_members row of the viewer: every join is a primary-key or unique-index
 * lookup, so a page costs O(limit) whatever the number of chats and messages. LEFT JOINs keep
 * the viewer's rows as the outer loop (driven by chat_members_activity).
 */
const PREVIEW_SELECT = `
SELECT m.chat_id AS chat_id, m.unread_count AS unread,
  COALESCE(p.username, '') AS username, COALESCE(p.nickname, '') AS nickname,
  COALESCE(p.avatar, '') AS avatar, COALESCE(p.online, 0) AS online, COALESCE(p.erased, 0) AS erased,
  EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = m.user_id AND b.blocked_id = m.peer_id) AS blocked_user,
  EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = m.peer_id AND b.blocked_id = m.user_id) AS blocked_by_user,
  lm.id AS lm_id, lm.content AS lm_content, lm.date AS lm_date,
  CASE WHEN lm.sender_id = m.user_id THEN COALESCE(v.username, '') ELSE COALESCE(p.username, '') END AS lm_sender,
  CASE WHEN lm.sender_id = m.user_id THEN lm.seq <= COALESCE(pm.read_through, 0) ELSE lm.seq <= m.read_through END AS lm_is_read,
  lm.is_liked AS lm_is_liked, lm.erased AS lm_erased
FROM chat_members m
LEFT JOIN chats c ON c.id = m.chat_id
LEFT JOIN users p ON p.id = m.peer_id
LEFT JOIN users v ON v.id = m.user_id
LEFT JOIN chat_members pm ON pm.chat_id = m.chat_id AND pm.user_id = m.peer_id
LEFT JOIN messages lm ON lm.chat_id = m.chat_id AND lm.seq = c.last_seq`;

/** A message is read when its seq is at or below its recipient's (the other member's) watermark. */
const MESSAGES_PAGE = `
SELECT msg.id AS id, msg.content AS content, msg.date AS date, COALESCE(s.username, '') AS sender,
  msg.seq <= COALESCE(r.read_through, 0) AS is_read, msg.is_liked AS is_liked, msg.erased AS erased
FROM messages msg
LEFT JOIN users s ON s.id = msg.sender_id
LEFT JOIN chat_members r ON r.chat_id = msg.chat_id AND r.user_id <> msg.sender_id
WHERE msg.chat_id = ?
ORDER BY msg.seq DESC LIMIT ? OFFSET ?`;

const MESSAGE_BY_ID = MESSAGES_PAGE.replace('WHERE msg.chat_id = ?', 'WHERE msg.chat_id = ? AND msg.id = ?').replace(/ORDER BY[^`]*$/, '');

const notificationsPage = (readCondition: string): string => `
SELECT n.id AS id, n.action AS action, n.data AS data, n.is_read AS is_read, n.date AS date,
  s.id AS s_id, s.username AS s_username, s.nickname AS s_nickname, s.avatar AS s_avatar, s.online AS s_online, s.erased AS s_erased
FROM notifications n
LEFT JOIN users s ON s.id = n.subject_id
WHERE n.user_id = ? ${readCondition}
ORDER BY n.date DESC, n.pos DESC LIMIT ? OFFSET ?`;

const READ_CONDITION: Record<ReadFilter, string> = { all: '', unread: 'AND n.is_read = 0', read: 'AND n.is_read = 1' };

type PageArgs = [string, number, number];

/** Prepared once per store: every read the port offers. */
export interface SqliteQueryStatements {
  readonly userById: Statement<[string], UserRow>;
  readonly userByUsername: Statement<[string], UserRow>;
  readonly chat: Statement<[string], { id: string; member_a: string; member_b: string }>;
  readonly chatIdsOf: Statement<[string], string>;
  readonly previews: Statement<PageArgs, PreviewRow>;
  readonly previewCount: Statement<[string], number>;
  readonly preview: Statement<[string, string], PreviewRow>;
  readonly messages: Statement<PageArgs, MessageRow>;
  readonly messageCount: Statement<[string], number>;
  readonly message: Statement<[string, string], MessageRow>;
  readonly messageRecord: Statement<[string], { chat_id: string; sender_id: string; seq: number; is_liked: number }>;
  readonly notifications: Record<ReadFilter, Statement<PageArgs, NotificationRow>>;
  readonly notificationCount: Record<ReadFilter, Statement<[string], number>>;
  readonly hasNotification: Statement<[string, string], number>;
  readonly unreadNotificationIds: Statement<[string], string>;
  readonly blocks: Statement<PageArgs, UserRow>;
  readonly blockCount: Statement<[string], number>;
  readonly userIds: Statement<[number], string>;
  readonly userIdsAfter: Statement<[string, number], string>;
  readonly onlineUserIds: Statement<[], string>;
  readonly checkpoint: (projection: string) => Position | undefined;
}

const byFilter = <T>(f: (filter: ReadFilter) => T): Record<ReadFilter, T> => ({ all: f('all'), unread: f('unread'), read: f('read') });

export const prepareQueries = (db: Database): SqliteQueryStatements => ({
  userById: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
  userByUsername: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE username = ? ORDER BY pos DESC LIMIT 1`),
  chat: db.prepare('SELECT id, member_a, member_b FROM chats WHERE id = ?'),
  chatIdsOf: db.prepare<[string], string>('SELECT chat_id FROM chat_members WHERE user_id = ? ORDER BY last_activity DESC, activity_pos DESC').pluck(),
  previews: db.prepare(`${PREVIEW_SELECT} WHERE m.user_id = ? ORDER BY m.last_activity DESC, m.activity_pos DESC LIMIT ? OFFSET ?`),
  previewCount: db.prepare<[string], number>('SELECT COUNT(*) FROM chat_members WHERE user_id = ?').pluck(),
  preview: db.prepare(`${PREVIEW_SELECT} WHERE m.user_id = ? AND m.chat_id = ?`),
  messages: db.prepare(MESSAGES_PAGE),
  messageCount: db.prepare<[string], number>('SELECT message_count FROM chats WHERE id = ?').pluck(),
  message: db.prepare<[string, string], MessageRow>(MESSAGE_BY_ID),
  messageRecord: db.prepare('SELECT chat_id, sender_id, seq, is_liked FROM messages WHERE id = ?'),
  notifications: byFilter((f) => db.prepare<PageArgs, NotificationRow>(notificationsPage(READ_CONDITION[f]))),
  notificationCount: byFilter((f) => db.prepare<[string], number>(`SELECT COUNT(*) FROM notifications n WHERE n.user_id = ? ${READ_CONDITION[f]}`).pluck()),
  hasNotification: db.prepare<[string, string], number>('SELECT 1 FROM notifications WHERE user_id = ? AND id = ?').pluck(),
  unreadNotificationIds: db.prepare<[string], string>('SELECT id FROM notifications WHERE user_id = ? AND is_read = 0').pluck(),
  blocks: db.prepare(`SELECT b.blocked_id AS id, COALESCE(u.username, '') AS username, COALESCE(u.nickname, '') AS nickname,
      COALESCE(u.avatar, '') AS avatar, COALESCE(u.online, 0) AS online, COALESCE(u.erased, 0) AS erased
    FROM blocks b LEFT JOIN users u ON u.id = b.blocked_id
    WHERE b.user_id = ? ORDER BY b.at DESC, b.pos DESC LIMIT ? OFFSET ?`),
  blockCount: db.prepare<[string], number>('SELECT COUNT(*) FROM blocks WHERE user_id = ?').pluck(),
  userIds: db.prepare<[number], string>('SELECT id FROM users ORDER BY id LIMIT ?').pluck(),
  userIdsAfter: db.prepare<[string, number], string>('SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?').pluck(),
  onlineUserIds: db.prepare<[], string>('SELECT id FROM users WHERE online = 1 ORDER BY id').pluck(),
  checkpoint: prepareCheckpoint(db),
});

/** A projection's stored checkpoint (the read side and the writer thread each prepare their own). */
export const prepareCheckpoint = (db: Database): ((projection: string) => Position | undefined) => {
  const stmt = db.prepare<[string], { commit_pos: string; prepare_pos: string }>('SELECT commit_pos, prepare_pos FROM checkpoints WHERE projection = ?');
  return (projection) => {
    const row = stmt.get(projection);
    return row === undefined ? undefined : { commit: BigInt(row.commit_pos), prepare: BigInt(row.prepare_pos) };
  };
};
