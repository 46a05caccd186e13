/**
 * What the read models know of a command's target message, looked up by the handler (by id,
 * after the read models caught up with the log's head); undefined when there is no such message.
 * `seq` and `senderId` never change; `liked` may lag, and the state's recent likes win over it.
 */
export interface MessageFacts {
  readonly chatId: string;
  readonly senderId: string;
  readonly seq: number;
  readonly liked: boolean;
}

/** Chat commands. `blocked` is looked up by the handler from both users' block lists, `message` from the read models. */
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
  | {
      readonly kind: 'LikeMessage' | 'UnlikeMessage';
      readonly chatId: string;
      readonly userId: string;
      readonly messageId: string;
      readonly message: MessageFacts | undefined;
      readonly at: string;
    }
  | {
      readonly kind: 'ReadMessage';
      readonly chatId: string;
      readonly readerId: string;
      readonly messageId: string;
      readonly message: MessageFacts | undefined;
      readonly at: string;
    }
  | { readonly kind: 'AnnounceRoom'; readonly chatId: string; readonly userId: string; readonly blocked: boolean; readonly at: string };
