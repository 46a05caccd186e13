import type { DomainEvent } from '../shared/decider.js';

export type ChatEvent =
  | DomainEvent<'ChatCreated', { readonly chatId: string; readonly members: readonly [string, string]; readonly createdBy: string; readonly at: string }>
  | DomainEvent<
      'MessageSent',
      {
        readonly chatId: string;
        readonly messageId: string;
        readonly senderId: string;
        readonly content: string;
        /** 1-based order of the message in its chat: read receipts are a watermark over it. */
        readonly seq: number;
        readonly date: string;
        /** The sender's own timestamp, echoed back to clients. */
        readonly clientTimestamp: string;
        /** The sender's own id for the message (`client_msg_id`), when it gave one. */
        readonly clientMsgId?: string;
      }
    >
  | DomainEvent<'MessageLiked', { readonly chatId: string; readonly messageId: string; readonly userId: string; readonly at: string }>
  | DomainEvent<'MessageUnliked', { readonly chatId: string; readonly messageId: string; readonly userId: string; readonly at: string }>
  | DomainEvent<
      'MessagesRead',
      {
        readonly chatId: string;
        readonly readerId: string;
        /** The sender whose messages up to `throughSeq` are now read by `readerId`. */
        readonly senderId: string;
        readonly messageId: string;
        readonly throughSeq: number;
        readonly at: string;
      }
    >
  | DomainEvent<'RoomAnnounced', { readonly chatId: string; readonly by: string; readonly at: string }>;

export type ChatEventType = ChatEvent['type'];
