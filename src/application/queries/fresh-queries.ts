import type { Position } from '../ports/event-store.js';
import type {
  ChatPreviewView,
  ChatRecord,
  ChatMessageView,
  MessageRecord,
  NotificationView,
  Page,
  PageRequest,
  ReadFilter,
  ReadModelQueries,
  UserRecord,
} from '../ports/read-model.js';

/** The read side did not reach the log's head in time: the answer would be stale, so there is none (503 / `unavailable`). */
export class ReadSideUnavailable extends Error {
  override readonly name = 'ReadSideUnavailable';
}

/** Waits until the read models include `position`, or the log's head as it is now; throws ReadSideUnavailable on timeout. */
export type CatchUp = (position?: Position) => Promise<void>;

export const catchUpWith =
  (head: () => Promise<Position | undefined>, waitFor: (p: Position, timeoutMs: number) => Promise<boolean>, timeoutMs: number): CatchUp =>
  async (position) => {
    const target = position ?? (await head());
    if (target !== undefined && !(await waitFor(target, timeoutMs))) throw new ReadSideUnavailable('The read models are behind the log: retry');
  };

/**
 * The read models as commands must see them: every query first waits for the log's head as it
 * was when the query was asked, so a lookup (a username, a message's chat, a notification) never
 * answers "not found" for something already stored, and never serves older data.
 */
export class FreshQueries implements ReadModelQueries {
  constructor(
    private readonly inner: ReadModelQueries,
    private readonly catchUp: CatchUp,
  ) {}

  async userById(userId: string): Promise<UserRecord | undefined> {
    await this.catchUp();
    return this.inner.userById(userId);
  }
  async userByUsername(username: string): Promise<UserRecord | undefined> {
    await this.catchUp();
    return this.inner.userByUsername(username);
  }
  async chat(chatId: string): Promise<ChatRecord | undefined> {
    await this.catchUp();
    return this.inner.chat(chatId);
  }
  async chatIdsOf(userId: string): Promise<readonly string[]> {
    await this.catchUp();
    return this.inner.chatIdsOf(userId);
  }
  async chatPreviews(viewerId: string, page: PageRequest): Promise<Page<ChatPreviewView>> {
    await this.catchUp();
    return this.inner.chatPreviews(viewerId, page);
  }
  async chatPreview(viewerId: string, chatId: string): Promise<ChatPreviewView | undefined> {
    await this.catchUp();
    return this.inner.chatPreview(viewerId, chatId);
  }
  async messages(chatId: string, page: PageRequest): Promise<Page<ChatMessageView>> {
    await this.catchUp();
    return this.inner.messages(chatId, page);
  }
  async message(chatId: string, messageId: string): Promise<ChatMessageView | undefined> {
    await this.catchUp();
    return this.inner.message(chatId, messageId);
  }
  async chatOfMessage(messageId: string): Promise<string | undefined> {
    await this.catchUp();
    return this.inner.chatOfMessage(messageId);
  }
  async messageRecord(messageId: string): Promise<MessageRecord | undefined> {
    await this.catchUp();
    return this.inner.messageRecord(messageId);
  }
  async notifications(userId: string, filter: ReadFilter, page: PageRequest): Promise<Page<NotificationView>> {
    await this.catchUp();
    return this.inner.notifications(userId, filter, page);
  }
  async hasNotification(userId: string, notificationId: string): Promise<boolean> {
    await this.catchUp();
    return this.inner.hasNotification(userId, notificationId);
  }
  async blocks(userId: string, page: PageRequest): Promise<Page<UserRecord>> {
    await this.catchUp();
    return this.inner.blocks(userId, page);
  }
  async userIdsAfter(afterUserId: string | undefined, limit: number): Promise<readonly string[]> {
    await this.catchUp();
    return this.inner.userIdsAfter(afterUserId, limit);
  }
  async onlineUserIds(): Promise<readonly string[]> {
    await this.catchUp();
    return this.inner.onlineUserIds();
  }
}
