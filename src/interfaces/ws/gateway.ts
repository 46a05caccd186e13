import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Either } from 'fp-ts/lib/Either.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseFramePosition, type FramePosition } from '../../application/broadcast/frame-position.js';
import type { ProfileDirectory } from '../../application/users/profile-directory.js';
import type { Actor, CommandDeps } from '../../application/shared/deps.js';
import { registerUser } from '../../application/users/register.js';
import type { LogProcessor } from '../../application/log/log-processor.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { comparePositions } from '../../application/ports/position.js';
import type { PositionTracker } from '../../application/log/position-tracker.js';
import { originAllowed, sameHost, type AllowedOrigins } from '../http/origins.js';
import { MAX_FRAME_BYTES, type ConnectionLimits, type Identity } from './connection-context.js';
import { Connection, type ConnectionShared } from './connection.js';
import type { Hub } from './hub.js';
import type { WsMetrics } from '../metrics/service-metrics.js';

export type { Identity } from './connection-context.js';

export interface GatewayOptions {
  readonly deps: CommandDeps;
  readonly store: EventStore;
  readonly log: LogProcessor;
  readonly profiles: ProfileDirectory;
  readonly hub: Hub;
  readonly authenticate: (req: IncomingMessage) => Either<{ readonly code: string; readonly msg: string }, Identity>;
  /** How far this node's broadcaster and read models have got: a new socket's chat list must cover what was broadcast before it joined. */
  readonly broadcasterTracker: PositionTracker;
  readonly limits: ConnectionLimits;
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly metrics?: WsMetrics;
  readonly logger: Logger;
  /** Browser origins that may open a socket (an upgrade without `Origin` is not a browser's). */
  readonly allowedOrigins: AllowedOrigins;
}

export const WS_PATHS = new Set(['/ws/events', '/ws/events/']);
/** `?presence=`: `frames` (the default: `user_online` / `user_offline`) or `batched` (`presence_state` / `presence_diff`). */
const PRESENCE_MODES = new Set(['frames', 'batched']);

const refuseUpgrade = (socket: Duplex, status: number, reason: string, msg: string): void => {
  const body = JSON.stringify({ msg });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
};

/** The WebSocket side of PROTOCOL.md: the upgrade (auth, `since`), the heartbeat, and the drain at shutdown; each socket's life is a `Connection`. */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly connections = new Set<Connection>();
  private readonly boundTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private accepting = true;
  private readonly shared: ConnectionShared;

  constructor(private readonly o: GatewayOptions) {
    const metrics = o.metrics;
    this.shared = {
      socketLimits: {
        maxBufferedBytes: o.limits.maxBufferedBytes,
        overBoundGraceMs: 1000,
        ...(metrics === undefined ? {} : { onFrameOut: (action: string) => metrics.frameOut(action) }),
      },
      onFinished: (connection) => this.connections.delete(connection),
    };
    this.boundTimer = setInterval(() => {
      const now = Date.now();
      // The gateway's own set: no array of every socket made four times a second.
      for (const c of this.connections) c.checkBound(now);
    }, 250);
    this.boundTimer.unref();
    const { intervalMs, timeoutMs } = o.heartbeat;
    this.heartbeatTimer = setInterval(
      () => {
        const now = Date.now();
        for (const c of this.connections) c.checkHeartbeat(now, intervalMs, timeoutMs);
      },
      Math.max(10, Math.min(1000, Math.floor(Math.min(intervalMs, timeoutMs) / 4))),
    );
    this.heartbeatTimer.unref();
  }

  /** Sockets from their 101 until their close-out has run (what `chat_ws_connections` reports). */
  get size(): number {
    return this.connections.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The service's own pages (the demo) may open sockets too.
    const allowed = originAllowed(req.headers.origin, this.o.allowedOrigins) || sameHost(req.headers.origin, req.headers.host);
    if (!allowed) return refuseUpgrade(socket, 403, 'Forbidden', 'Origin not allowed');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!WS_PATHS.has(url.pathname)) return refuseUpgrade(socket, 404, 'Not Found', 'No WebSocket endpoint here');
    if (!this.accepting) return refuseUpgrade(socket, 503, 'Service Unavailable', 'Shutting down');
    const identity = this.o.authenticate(req);
    if (isLeft(identity)) return refuseUpgrade(socket, 401, 'Unauthorized', identity.left.msg);
    const sinceParam = url.searchParams.get('since');
    const since = sinceParam === null ? undefined : parseFramePosition(sinceParam);
    if (sinceParam !== null && since === undefined) return refuseUpgrade(socket, 400, 'Bad Request', 'since must be a position');
    const presenceParam = url.searchParams.get('presence');
    if (presenceParam !== null && !PRESENCE_MODES.has(presenceParam)) return refuseUpgrade(socket, 400, 'Bad Request', 'presence must be frames or batched');
    // Field by field, not `{ ...identity.right, connectionId }`: V8 gives each object made by a
    // spread and then extended a hidden class of its own (about 300 bytes per open socket).
    const { userId, username, nickname, avatar } = identity.right;
    const actor: Actor = { userId, username, nickname, avatar, connectionId: randomUUID() };
    void this.admit(actor, since).then(
      (problem) => {
        if (problem !== undefined) return refuseUpgrade(socket, 400, 'Bad Request', problem);
        if (!this.accepting) return refuseUpgrade(socket, 503, 'Service Unavailable', 'Shutting down');
        // The client gave up while it was being registered.
        if (socket.destroyed) return;
        this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, socket, actor, identity.right.expiresAt, since, presenceParam === 'batched'));
      },
      (err: unknown) => {
        this.o.logger.error({ err }, 'websocket upgrade failed');
        refuseUpgrade(socket, 503, 'Service Unavailable', 'The event store is unavailable: retry');
      },
    );
  }

  /**
   * In a method of its own: a closure made inside `handleUpgrade` would keep its whole scope alive
   * for the socket's life (V8 shares one context per scope), the upgrade request and its headers
   * included, about 2 KiB per connection.
   */
  private open(ws: WebSocket, socket: Duplex, actor: Actor, expiresAt: Identity['expiresAt'], since: FramePosition | undefined, batched: boolean): void {
    this.connections.add(new Connection(this.o, this.shared, ws, socket, actor, expiresAt, since, batched));
  }

  /**
   * What must hold before the 101: `since` is a position of this log, and the user's registration
   * is stored, so that once the socket is open any client may open a chat with it or invite it.
   */
  private async admit(actor: Actor, since: FramePosition | undefined): Promise<string | undefined> {
    const problem = await this.checkSince(since);
    if (problem !== undefined) return problem;
    await registerUser(this.o.deps, actor, actor.connectionId ?? randomUUID());
    return undefined;
  }

  /** A `since` must be a position of this log: one beyond its head was never handed out. */
  private async checkSince(since: FramePosition | undefined): Promise<string | undefined> {
    if (since === undefined) return undefined;
    const head = await this.o.store.headPosition();
    const beyond = head === undefined ? since.at.commit > 0n || since.at.prepare > 0n : comparePositions(since.at, head) > 0;
    return beyond ? 'since is beyond the head of the log' : undefined;
  }

  /**
   * Stops accepting, closes every socket with 1001 and writes each one's close-out. True when
   * every close-out was written; false leaves this node's connections to the node-lease check.
   */
  async drain(): Promise<boolean> {
    this.accepting = false;
    clearInterval(this.boundTimer);
    clearInterval(this.heartbeatTimer);
    const all = [...this.connections];
    await Promise.all(all.map((c) => c.shutdown()));
    this.wss.close();
    return all.every((c) => c.closedOutCleanly);
  }
}
