import { randomUUID } from 'node:crypto';
import { closeConnection } from '../../application/presence/connections.js';
import type { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import type { ConnectionContext } from './connection-context.js';

/** setTimeout's ceiling: longer token lifetimes are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Whether a socket's peer is still there: the heartbeat's ping and pong, and its token's expiry (3001). */
export class Liveness {
  private pingSentAt: number | undefined;
  private lastPong = Date.now();
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: ClientSocket,
    expiresAt: number,
  ) {
    this.armExpiry(expiresAt);
  }

  pong(): void {
    this.pingSentAt = undefined;
    this.lastPong = Date.now();
  }

  /**
   * Ping after `intervalMs` of silence. True when a ping went unanswered for `timeoutMs`: a
   * half-open connection (a closed lid, a changed network), to be cut.
   */
  check(now: number, intervalMs: number, timeoutMs: number): boolean {
    const ws = this.socket.ws;
    if (this.socket.closed || ws.readyState !== ws.OPEN) return false;
    if (this.pingSentAt !== undefined) return now - this.pingSentAt >= timeoutMs;
    if (now - this.lastPong >= intervalMs) {
      this.pingSentAt = now;
      ws.ping();
    }
    return false;
  }

  /** The socket is gone: no expiry to enforce. */
  stop(): void {
    clearTimeout(this.expiry);
  }

  private armExpiry(expiresAt: number): void {
    const delay = Math.max(0, expiresAt - Date.now());
    this.expiry = setTimeout(
      () => {
        if (Date.now() >= expiresAt) this.socket.close(CloseCode.UNAUTHORIZED, 'token expired');
        else this.armExpiry(expiresAt);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    this.expiry.unref();
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
