import type { ActionName } from './actions.js';
import type { AckData } from './frames.js';

/**
 * Actions sent again when a socket closed before they were answered, because repeating them
 * changes nothing: a `new_message` carries its `client_msg_id`, which the server stores once and
 * acknowledges with the original message; the others are no-ops when repeated.
 */
export const RESENDABLE: ReadonlySet<ActionName> = new Set<ActionName>([
  'new_message',
  'like_message',
  'unlike_message',
  'read_message',
  'read_notification',
  'join_chat',
  'user_online',
  'user_offline',
]);

/** How a call learns its outcome. */
export interface Answer {
  readonly acked: (ack: AckData) => void;
  readonly reject: (err: Error) => void;
}

/** A promise-returning action waiting for its answer. */
export interface Call extends Answer {
  /** Call order: queued calls go out in it, re-sent ones included. */
  readonly seq: number;
  readonly action: ActionName;
  readonly data: Readonly<Record<string, unknown>>;
}
