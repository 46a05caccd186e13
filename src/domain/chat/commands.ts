/** Chat commands. `blocked` is looked up by the handler from both users' block lists. */
export type ChatCommand =
  | {
      readonly kind: 'CreateChat';
      readonly chatId: string;
      readonly initiatorId: string;
      readonly peerId: string;
      readonly blocked: boolean;
      readonly at: string;
    }
  | {
      readonly kind: 'SendMessage';
      readonly chatId: string;
      readonly senderId: string;
      readonly messageId: string;
      readonly content: string;
      readonly clientTimestamp: string;
      /** The sender's own id for this message: a repeat of a recent one stores nothing (idempotent send). */
      readonly clientMsgId?: string;
      readonly blocked: boolean;
      readonly at: string;
    }
  | { readonly kind: 'LikeMessage'; readonly chatId: string; readonly userId: string; readonly messageId: string; readonly at: string }
  | { readonly kind: 'UnlikeMessage'; readonly chatId: string; readonly userId: string; readonly messageId: string; readonly at: string }
  | { readonly kind: 'ReadMessage'; readonly chatId: string; readonly readerId: string; readonly messageId: string; readonly at: string }
  | { readonly kind: 'AnnounceRoom'; readonly chatId: string; readonly userId: string; readonly blocked: boolean; readonly at: string };
