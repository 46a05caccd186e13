import { randomUUID } from 'node:crypto';
import { closeConnection } from '../../application/presence/connections.js';
import type { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import type { ConnectionContext } from './connection-context.js';

/**
 * Whether a socket's peer is still there: the heartbeat's ping and pong, and its token's expiry
 * (3001). Both are checked by the gateway's sweep (at least once a second) rather than a timer per
 * socket: a timer of its own, with the list Node keeps for its unique delay, cost every idle socket
 * about 300 bytes, and a token's `exp` counts in seconds anyway.
 */
export class Liveness {
  private pingSentAt: number | undefined;
  private lastPong = Date.now();

  constructor(
    private readonly socket: ClientSocket,
    private readonly expiresAt: number,
  ) {}

  pong(): void {
    this.pingSentAt = undefined;
    this.lastPong = Date.now();
  }

  /**
   * Closes the socket with 3001 once its token expired. Else pings after `intervalMs` of silence.
   * True when a ping went unanswered for `timeoutMs`: a half-open connection (a closed lid, a
   * changed network), to be cut.
   */
  check(now: number, intervalMs: number, timeoutMs: number): boolean {
    const ws = this.socket.ws;
    if (this.socket.closed || ws.readyState !== ws.OPEN) return false;
    if (now >= this.expiresAt) {
      this.socket.close(CloseCode.UNAUTHORIZED, 'token expired');
      return false;
    }
    if (this.pingSentAt !== undefined) return now - this.pingSentAt >= timeoutMs;
    if (now - this.lastPong >= intervalMs) {
      this.pingSentAt = now;
      ws.ping();
    }
    return false;
  }
}

/**
 * The close-out of a socket that counted as connected (`ConnectionOpened` stored): `ConnectionClosed`,
 * and when it was the user's last, `UserWentOffline`, on which a reactor withdraws their invitations.
 * False when it could not be written: the node must leave its lease to lapse so another node does it.
 */
export const closeOut = async (c: ConnectionContext, socket: ClientSocket, opened: boolean, openedAt: number): Promise<boolean> => {
  let written = true;
  if (opened) {
    try {
      await closeConnection(c.deps, socket.actor, randomUUID());
    } catch (err) {
      written = false;
      c.logger.error({ err, userId: socket.userId }, 'connection close-out failed: left to the node-lease check');
    }
  }
  c.logger.info({ connectionId: socket.actor.connectionId, userId: socket.userId, openMs: Date.now() - openedAt, counted: opened }, 'socket closed');
  return written;
};
