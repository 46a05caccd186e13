import type { ActionName } from './actions.js';
import type { ErrorCode } from './frames.js';

/** A REST answer that is not a success: its status and the server's `msg`. */
export class ChatApiError extends Error {
  override readonly name = 'ChatApiError';
  constructor(
    readonly status: number,
    readonly msg: string,
  ) {
    super(`${status}: ${msg}`);
  }
}

/** An action the server refused with an `error` frame (the socket stays open). */
export class ChatActionError extends Error {
  override readonly name = 'ChatActionError';
  constructor(
    readonly action: ActionName,
    readonly code: ErrorCode,
    readonly msg: string,
  ) {
    super(`${action}: ${code}: ${msg}`);
  }
}

/**
 * The socket closed before the server answered an action that is not safe to repeat
 * (invitations, friends, tournaments...): whether it took effect is unknown; reload over REST.
 * Also the rejection of every pending call when the client is closed.
 */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
  constructor(
    readonly action: ActionName,
    reason: string,
  ) {
    super(`${action}: ${reason}`);
  }
}
