import type { Database, Statement } from 'better-sqlite3';
import { notificationSubjectId } from '../../../application/notifications/notification-data.js';
import type { Position } from '../../../application/ports/event-store.js';
import type { ReadModelChange } from '../../../application/ports/read-model.js';
import { changeKey } from '../position-key.js';
import { ChatCounters } from './chat-counters.js';

type Params = Record<string, string | number | null>;

/**
 * Applies changes with cached statements; the caller provides the transaction and calls
 * `flush` before it commits (chat counters are summed until then, see chat-counters.ts).
 */
export class SqliteChangeWriter {
  private readonly counters: ChatCounters;
  private readonly s: Record<
    | 'upsertUser'
    | 'claimUsername'
    | 'releaseUsername'
    | 'setOnline'
    | 'insertChat'
    | 'insertMember'
    | 'insertNotification'
    | 'fanOutNotification'
    | 'markNotificationRead'
    | 'markNotificationReadById'
    | 'markAllNotificationsRead'
    | 'block'
    | 'unblock'
    | 'eraseUser'
    | 'eraseMessagesOf',
    Statement<[Params]>
  >;
  // The statements run for most events bind positional parameters: cheaper than named ones.
  private readonly insertMessage: Statement<[string, string, number, string, string, string, number]>;
  private readonly setLiked: Statement<[number, string, string]>;
  private readonly markMessagesRead: Statement<[number, string, string, number, string, string, number]>;

  constructor(db: Database) {
    const p = (sql: string): Statement<[Params]> => db.prepare<[Params]>(sql);
    this.s = {
      upsertUser: p(`INSERT INTO users (id, username, nickname, avatar, online, pos, erased) VALUES (@userId, @username, @nickname, @avatar, 0, @pos, @erased)
        ON CONFLICT (id) DO UPDATE SET username = excluded.username, nickname = excluded.nickname, avatar = excluded.avatar, pos = excluded.pos,
          erased = excluded.erased`),
      eraseUser: p(`UPDATE users SET username = @alias, nickname = '', avatar = '', erased = 1, pos = @pos WHERE id = @userId`),
      // Chat by chat (index messages_sender), rather than a scan of every message.
      eraseMessagesOf: p(`UPDATE messages SET content = '', erased = 1
        WHERE chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = @userId) AND sender_id = @userId AND erased = 0`),
      releaseUsername: p(`UPDATE users SET username = '', pos = @pos WHERE username = @username AND id <> @userId`),
      claimUsername: p('UPDATE users SET username = @username, pos = @pos WHERE id = @userId'),
      setOnline: p('UPDATE users SET online = @online WHERE id = @userId'),
      insertChat: p('INSERT OR IGNORE INTO chats (id, member_a, member_b, created_at) VALUES (@chatId, @a, @b, @at)'),
      insertMember: p(`INSERT OR IGNORE INTO chat_members (chat_id, user_id, peer_id, last_activity, activity_pos)
        VALUES (@chatId, @userId, @peerId, @at, @pos)`),
      insertNotification: p(`INSERT OR IGNORE INTO notifications (user_id, id, action, data, subject_id, date, pos)
        VALUES (@userId, @notificationId, @action, @data, @subjectId, @date, @pos)`),
      fanOutNotification: p(`INSERT OR IGNORE INTO notifications (user_id, id, action, data, subject_id, date, pos)
        SELECT id, @notificationId, @action, @data, @subjectId, @date, @pos FROM users WHERE id NOT IN (SELECT value FROM json_each(@exceptUserIds))`),
      markNotificationRead: p('UPDATE notifications SET is_read = 1 WHERE user_id = @userId AND id = @notificationId AND is_read = 0'),
      markNotificationReadById: p('UPDATE notifications SET is_read = 1 WHERE id = @notificationId AND is_read = 0'),
      markAllNotificationsRead: p('UPDATE notifications SET is_read = 1 WHERE user_id = @userId AND is_read = 0'),
      block: p('INSERT OR IGNORE INTO blocks (user_id, blocked_id, at, pos) VALUES (@userId, @blockedId, @at, @pos)'),
      unblock: p('DELETE FROM blocks WHERE user_id = @userId AND blocked_id = @blockedId'),
    };
    this.insertMessage = db.prepare('INSERT OR IGNORE INTO messages (id, chat_id, seq, sender_id, content, date, erased) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.setLiked = db.prepare('UPDATE messages SET is_liked = ? WHERE id = ? AND chat_id = ?');
    // The watermark only moves forward; what stays unread is recounted from it (index messages_sender).
    this.markMessagesRead = db.prepare(`UPDATE chat_members SET read_through = ?,
        unread_count = (SELECT COUNT(*) FROM messages WHERE chat_id = ? AND sender_id = ? AND seq > ?)
      WHERE chat_id = ? AND user_id = ? AND read_through < ?`);
    this.counters = new ChatCounters(db);
  }

  /** Writes the summed chat counters: the last step of a transaction. */
  flush(): void {
    this.counters.flush();
  }

  /** Forgets unwritten counters after a rollback. */
  discard(): void {
    this.counters.discard();
  }

  /**
   * The change is the `index`-th of the event at `position`; rows record its change key
   * (position-key.ts), computed only by the changes that store it.
   */
  apply(c: ReadModelChange, position: Position, index: number): void {
    const s = this.s;
    switch (c.kind) {
      case 'UpsertUser':
        s.upsertUser.run({
          userId: c.userId,
          username: c.username,
          nickname: c.nickname,
          avatar: c.avatar,
          pos: changeKey(position, index),
          erased: c.erased === true ? 1 : 0,
        });
        return;
      case 'EraseUser':
        s.eraseUser.run({ userId: c.userId, alias: c.alias, pos: changeKey(position, index) });
        return;
      case 'EraseMessagesOf':
        s.eraseMessagesOf.run({ userId: c.userId });
        return;
      case 'ClaimUsername': {
        const params = { username: c.username, userId: c.userId, pos: changeKey(position, index) };
        s.releaseUsername.run(params);
        s.claimUsername.run(params);
        return;
      }
      case 'SetOnline':
        s.setOnline.run({ userId: c.userId, online: c.online ? 1 : 0 });
        return;
      case 'CreateChat': {
        const [a, b] = c.members;
        const pos = changeKey(position, index);
        this.counters.beforeCreate(c.chatId);
        s.insertChat.run({ chatId: c.chatId, a, b, at: c.at });
        s.insertMember.run({ chatId: c.chatId, userId: a, peerId: b, at: c.at, pos });
        s.insertMember.run({ chatId: c.chatId, userId: b, peerId: a, at: c.at, pos });
        return;
      }
      case 'AddMessage': {
        const inserted = this.insertMessage.run(c.messageId, c.chatId, c.seq, c.senderId, c.content, c.date, c.erased === true ? 1 : 0);
        if (inserted.changes > 0) this.counters.messageAdded(c.chatId, c.senderId, c.seq, c.date, position, index);
        return;
      }
      case 'SetLiked':
        this.setLiked.run(c.liked ? 1 : 0, c.messageId, c.chatId);
        return;
      case 'MarkMessagesRead':
        this.counters.beforeMarkRead(c.chatId, c.readerId);
        this.markMessagesRead.run(c.throughSeq, c.chatId, c.senderId, c.throughSeq, c.chatId, c.readerId, c.throughSeq);
        return;
      case 'AddNotification':
        s.insertNotification.run({
          userId: c.userId,
          notificationId: c.notificationId,
          action: c.action,
          data: JSON.stringify(c.data),
          subjectId: notificationSubjectId(c.action, c.data) ?? null,
          date: c.date,
          pos: changeKey(position, index),
        });
        return;
      case 'AddNotificationForAllUsers':
        s.fanOutNotification.run({
          exceptUserIds: JSON.stringify(c.exceptUserIds),
          notificationId: c.notificationId,
          action: c.action,
          data: JSON.stringify(c.data),
          subjectId: notificationSubjectId(c.action, c.data) ?? null,
          date: c.date,
          pos: changeKey(position, index),
        });
        return;
      case 'MarkNotificationRead':
        s.markNotificationRead.run({ userId: c.userId, notificationId: c.notificationId });
        return;
      case 'MarkNotificationReadById':
        s.markNotificationReadById.run({ notificationId: c.notificationId });
        return;
      case 'MarkAllNotificationsRead':
        s.markAllNotificationsRead.run({ userId: c.userId });
        return;
      case 'Block':
        s.block.run({ userId: c.userId, blockedId: c.blockedId, at: c.at, pos: changeKey(position, index) });
        return;
      case 'Unblock':
        s.unblock.run({ userId: c.userId, blockedId: c.blockedId });
        return;
    }
  }
}
