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
} from '../ports/read-model.js';
import type { Position } from '../ports/event-store.js';

/** The read models a node serves, switchable to a rebuilt generation without restarting. */
export class SwitchableReadModels implements ReadModelStore {
  constructor(private current: ReadModelStore) {}

  get store(): ReadModelStore {
    return this.current;
  }

  /** Serves `next` from now on; returns the previous store for the caller to close. */
  swap(next: ReadModelStore): ReadModelStore {
    const previous = this.current;
    this.current = next;
    return previous;
  }

  apply(projection: string, batch: readonly PositionedChanges[]): Promise<void> {
    return this.current.apply(projection, batch);
  }
  checkpoint(projection: string): Promise<Position | undefined> {
    return this.current.checkpoint(projection);
  }
  reset(groups?: Parameters<ReadModelStore['reset']>[0]): Promise<void> {
    return this.current.reset(groups);
  }
  close(): Promise<void> {
    return this.current.close();
  }
  userById(userId: string): Promise<UserRecord | undefined> {
    return this.current.userById(userId);
  }
  userByUsername(username: string): Promise<UserRecord | undefined> {
    return this.current.userByUsername(username);
  }
  chat(chatId: string): Promise<ChatRecord | undefined> {
    return this.current.chat(chatId);
  }
  chatIdsOf(userId: string): Promise<readonly string[]> {
    return this.current.chatIdsOf(userId);
  }
  chatPreviews(viewerId: string, page: PageRequest): Promise<Page<ChatPreviewView>> {
    return this.current.chatPreviews(viewerId, page);
  }
  chatPreview(viewerId: string, chatId: string): Promise<ChatPreviewView | undefined> {
    return this.current.chatPreview(viewerId, chatId);
  }
  messages(chatId: string, page: PageRequest): Promise<Page<ChatMessageView>> {
    return this.current.messages(chatId, page);
  }
  message(chatId: string, messageId: string): Promise<ChatMessageView | undefined> {
    return this.current.message(chatId, messageId);
  }
  chatOfMessage(messageId: string): Promise<string | undefined> {
    return this.current.chatOfMessage(messageId);
  }
  messageRecord(messageId: string): Promise<MessageRecord | undefined> {
    return this.current.messageRecord(messageId);
  }
  notifications(userId: string, filter: ReadFilter, page: PageRequest): Promise<Page<NotificationView>> {
    return this.current.notifications(userId, filter, page);
  }
  hasNotification(userId: string, notificationId: string): Promise<boolean> {
    return this.current.hasNotification(userId, notificationId);
  }
  blocks(userId: string, page: PageRequest): Promise<Page<UserRecord>> {
    return this.current.blocks(userId, page);
  }
  userIdsAfter(afterUserId: string | undefined, limit: number): Promise<readonly string[]> {
    return this.current.userIdsAfter(afterUserId, limit);
  }
  onlineUserIds(): Promise<readonly string[]> {
    return this.current.onlineUserIds();
  }
}
