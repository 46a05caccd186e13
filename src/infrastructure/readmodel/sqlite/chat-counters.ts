import type { Database, Statement } from 'better-sqlite3';
import type { Position } from '../../../application/ports/event-store.js';
import { changeKey } from '../position-key.js';

/** What the messages of one chat added since the last flush. */
interface Pending {
  added: number;
  lastSeq: number;
  /** The last message's date and change key: `last_activity` is overwritten, so the last one wins. */
  date: string;
  position: Position;
  index: number;
  /** New messages per sender: each is unread for every member but its sender. */
  readonly unreadBySender: Map<string, number>;
}

/**
 * The per-message counters of chats and chat_members (message_count, last_seq, last_activity,
 * unread_count), summed in memory within one transaction and written once per chat at the end:
 * a message then costs its one INSERT instead of four statements.
 *
 * The result is the same as writing them message by message, because nothing else in a batch
 * reads these columns except where the caller flushes first:
 * - `beforeCreate` (a chat's rows may appear: updates that found no row must still find none),
 * - `beforeMarkRead` (the recount overwrites the reader's unread_count).
 * Every update only adds, takes a maximum or overwrites with the latest value, so the sums commute.
 */
export class ChatCounters {
  private readonly pending = new Map<string, Pending>();
  private readonly count: Statement<[number, number, string]>;
  private readonly touch: Statement<[string, string, string]>;
  private readonly bump: Statement<[number, string, string]>;

  constructor(db: Database) {
    this.count = db.prepare('UPDATE chats SET message_count = message_count + ?, last_seq = MAX(last_seq, ?) WHERE id = ?');
    this.touch = db.prepare('UPDATE chat_members SET last_activity = ?, activity_pos = ? WHERE chat_id = ?');
    // A new message's seq is above every watermark: it is unread for the recipient.
    this.bump = db.prepare('UPDATE chat_members SET unread_count = unread_count + ? WHERE chat_id = ? AND user_id <> ?');
  }

  /** A message was inserted (not a duplicate) by the `index`-th change of the event at `position`. */
  messageAdded(chatId: string, senderId: string, seq: number, date: string, position: Position, index: number): void {
    const p = this.pending.get(chatId);
    if (p === undefined) {
      this.pending.set(chatId, { added: 1, lastSeq: seq, date, position, index, unreadBySender: new Map([[senderId, 1]]) });
      return;
    }
    p.added += 1;
    if (seq > p.lastSeq) p.lastSeq = seq;
    p.date = date;
    p.position = position;
    p.index = index;
    p.unreadBySender.set(senderId, (p.unreadBySender.get(senderId) ?? 0) + 1);
  }

  beforeCreate(chatId: string): void {
    const p = this.pending.get(chatId);
    if (p === undefined) return;
    this.write(chatId, p);
    this.pending.delete(chatId);
  }

  /** Writes the unread counts that reach `readerId`'s row (messages of any other sender). */
  beforeMarkRead(chatId: string, readerId: string): void {
    const p = this.pending.get(chatId);
    if (p === undefined) return;
    for (const [senderId, n] of p.unreadBySender) {
      if (senderId === readerId) continue;
      this.bump.run(n, chatId, senderId);
      p.unreadBySender.delete(senderId);
    }
  }

  /** Writes everything pending; call before the transaction commits. */
  flush(): void {
    for (const [chatId, p] of this.pending) this.write(chatId, p);
    this.pending.clear();
  }

  /** Forgets what is pending (the transaction rolled back). */
  discard(): void {
    this.pending.clear();
  }

  private write(chatId: string, p: Pending): void {
    this.count.run(p.added, p.lastSeq, chatId);
    this.touch.run(p.date, changeKey(p.position, p.index), chatId);
    for (const [senderId, n] of p.unreadBySender) this.bump.run(n, chatId, senderId);
  }
}
