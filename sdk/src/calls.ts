import type { ActionName } from './actions.js';
import type { NewMessageData } from './frames.js';

/** Actions that may be sent again when a socket closed before they were answered: repeating them changes nothing. */
export const IDEMPOTENT: ReadonlySet<ActionName> = new Set<ActionName>([
  'like_message',
  'unlike_message',
  'read_message',
  'read_notification',
  'join_chat',
  'user_offline',
]);

/** A promise-returning action waiting for its answer. */
export interface Call {
  readonly action: ActionName;
  readonly data: Readonly<Record<string, unknown>>;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** A `sendMessage`: resolved by its own `new_message` frame, re-sent with the same `client_msg_id` until the server took it. */
export interface MessageCall extends Call {
  readonly action: 'new_message';
  readonly clientMsgId: string;
  readonly chatId: string;
  /** As the server stores it (trimmed), to match the frame while the server does not echo `client_msg_id`. */
  readonly content: string;
  readonly timestamp: string;
  readonly stored: (message: NewMessageData) => void;
  /** Sent on some socket (so a reconnect must first see the replay before sending it again). */
  sent: boolean;
  /** The server answered it without an error: it is stored, its frame is on its way. */
  accepted: boolean;
}

/**
 * One call on the wire and the barrier sent right after it. The server handles a socket's
 * frames one at a time and answers refusals in order, so an `error` before the barrier's answer
 * is this call's, and the barrier's answer without one means the call was taken. `call` is
 * undefined for the barrier a resumed socket sends to know its replay is complete.
 */
export interface Segment {
  readonly call: Call | undefined;
  errored: boolean;
}

export const isMessageCall = (c: Call): c is MessageCall => c.action === 'new_message';

/** Whether a `new_message` frame is this call's own: by `client_msg_id` when echoed, else by chat, content, timestamp and sender. */
export const isOwnFrame = (m: MessageCall, d: NewMessageData, me: string | undefined): boolean =>
  d.client_msg_id !== undefined
    ? d.client_msg_id === m.clientMsgId
    : d.chat_id === m.chatId && d.content === m.content && d.timestamp === m.timestamp && (me === undefined || d.sender === me);
