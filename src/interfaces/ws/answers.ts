import { formatFramePosition } from '../../application/broadcast/frame-position.js';
import type { Position } from '../../application/ports/event-store.js';
import type { Reply } from './client-socket.js';

/** What an `ack` of `new_message` says of the stored message (the original one for a repeated `client_msg_id`). */
export interface StoredMessage {
  readonly id: string;
  readonly chat_id: string;
  readonly date: string;
}

const withRef = (ref: string | undefined): { readonly ref?: string } => (ref === undefined ? {} : { ref });

/** A refusal or a fault, for the sender only; it carries the frame's `ref` when the frame had one. */
export const errorReply = (action: string, code: string, msg: string, ref: string | undefined): Reply => ({
  action: 'error',
  data: { for: action, code, msg },
  ...withRef(ref),
});

/** A taken action's answer: `position` (as frames' positions are written) when it stored an event, the stored message for `new_message`. */
export const ackReply = (action: string, ref: string, position: Position | undefined, message: StoredMessage | undefined): Reply => ({
  action: 'ack',
  ref,
  data: { for: action, ...(position === undefined ? {} : { position: formatFramePosition({ at: position }) }), ...message },
});
