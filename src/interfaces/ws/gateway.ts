import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Either } from 'fp-ts/lib/Either.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ProfileDirectory } from '../../application/broadcast/profile-directory.js';
import { ONLINE_USERS, chatGroup, userGroup } from '../../application/broadcast/frames.js';
import type { Actor, CommandDeps } from '../../application/commands/context.js';
import { cancelInvitationsOf } from '../../application/commands/invites.js';
import { closeConnection, openConnection, recordActivity } from '../../application/commands/presence.js';
import { registerUser } from '../../application/commands/users.js';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import { parsePosition } from '../../application/ports/position.js';
import type { PositionTracker } from '../../application/projections/position-tracker.js';
import { isRefusal } from '../../domain/shared/decision.js';
import { originAllowed, type AllowedOrigins } from '../http/origins.js';
import { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import { decodeFrame } from './decode-frame.js';
import { dispatch } from './dispatch.js';
import { Hub } from './hub.js';
import { TokenBucket } from './rate-limiter.js';
import { replaySince } from './replay.js';

export interface Identity {
  readonly userId: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly expiresAt: number;
}

export interface GatewayOptions {
  readonly deps: CommandDeps;
  readonly store: EventStore;
  readonly profiles: ProfileDirectory;
  readonly hub: Hub;
  readonly authenticate: (req: IncomingMessage) => Either<{ readonly code: string; readonly msg: string }, Identity>;
  /** How far this node's broadcaster and read models have got: a new socket's chat list must cover what was broadcast before it joined. */
  readonly broadcasterTracker: PositionTracker;
  readonly readModelTracker: PositionTracker;
  readonly limits: {
    readonly maxBufferedBytes: number;
    readonly ratePerSecond: number;
    readonly rateBurst: number;
    readonly rateWarnings: number;
    readonly activityThrottleMs: number;
    readonly readYourWritesTimeoutMs: number;
  };
  readonly logger: Logger;
  /** Browser origins that may open a socket (an upgrade without `Origin` is not a browser's). */
  readonly allowedOrigins: AllowedOrigins;
}

export const WS_PATHS = new Set(['/ws/events', '/ws/events/']);
const MAX_FRAME_BYTES = 64 * 1024;
/** setTimeout's ceiling: longer token lifetimes are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const refuseUpgrade = (socket: Duplex, status: number, reason: string, msg: string): void => {
  const body = JSON.stringify({ msg });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
};

/** The WebSocket side of PROTOCOL.md: authentication, groups, decoding, dispatch, limits and resume. */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly boundTimer: NodeJS.Timeout;
  private accepting = true;

  constructor(private readonly o: GatewayOptions) {
    this.boundTimer = setInterval(() => {
      const now = Date.now();
      for (const s of this.o.hub.all()) s.checkBound(now);
    }, 250);
    this.boundTimer.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!originAllowed(req.headers.origin, this.o.allowedOrigins)) return refuseUpgrade(socket, 403, 'Forbidden', 'Origin not allowed');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!WS_PATHS.has(url.pathname)) return refuseUpgrade(socket, 404, 'Not Found', 'No WebSocket endpoint here');
    if (!this.accepting) return refuseUpgrade(socket, 503, 'Service Unavailable', 'Shutting down');
    const identity = this.o.authenticate(req);
    if (isLeft(identity)) return refuseUpgrade(socket, 401, 'Unauthorized', identity.left.msg);
    const sinceParam = url.searchParams.get('since');
    const since = sinceParam === null ? undefined : parsePosition(sinceParam);
    if (sinceParam !== null && since === undefined) return refuseUpgrade(socket, 400, 'Bad Request', 'since must be a position');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.track(this.onConnection(ws, socket, identity.right, since));
    });
  }

  private track<T>(p: Promise<T>): void {
    const tracked = p.catch((err: unknown) => this.o.logger.error({ err }, 'websocket task failed')).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async onConnection(ws: WebSocket, raw: Duplex, identity: Identity, since: Position | undefined): Promise<void> {
    const { deps, hub, limits } = this.o;
    const actor: Actor = { userId: identity.userId, username: identity.username, nickname: identity.nickname, avatar: identity.avatar, connectionId: randomUUID() };
    const socket = new ClientSocket(ws, raw, actor, { maxBufferedBytes: limits.maxBufferedBytes, overBoundGraceMs: 1000 });
    const correlationId = actor.connectionId ?? randomUUID();
    let queue: Promise<unknown> = Promise.resolve();
    // Frames that arrive while the socket is being set up wait in the same queue, in order.
    ws.on('message', (data, isBinary) => {
      queue = queue.then(() => this.onMessage(socket, data, isBinary));
      this.track(queue);
    });
    ws.on('close', () => {
      socket.closed = true;
      hub.remove(socket);
      clearTimeout(expiry);
      this.track(queue.then(() => this.onClose(socket)));
    });
    ws.on('error', (err) => this.o.logger.warn({ err, userId: actor.userId }, 'websocket error'));
    const expiry = this.armExpiry(socket, identity.expiresAt);

    const setup = (async () => {
      // Every socket resumes: from `since` when given, else from what this node had broadcast
      // when the socket joined the hub. Frames broadcast while its chat list is being read are
      // then replayed instead of missed, and the hand-over drops what the replay already sent.
      socket.beginReplay();
      const joinedAt = this.o.broadcasterTracker.position;
      hub.add(socket);
      hub.join(socket, userGroup(actor.userId));
      hub.join(socket, ONLINE_USERS);
      await registerUser(deps, actor, correlationId);
      if (joinedAt !== undefined) await this.o.readModelTracker.waitFor(joinedAt, limits.readYourWritesTimeoutMs);
      for (const chatId of await deps.queries.chatIdsOf(actor.userId)) hub.join(socket, chatGroup(chatId));
      const from = since ?? joinedAt;
      if (from !== undefined) await replaySince(this.o.store, this.o.profiles, hub, socket, from);
      socket.endReplay();
      await openConnection(deps, actor, correlationId);
    })();
    queue = setup;
    await setup;
  }

  private armExpiry(socket: ClientSocket, expiresAt: number): NodeJS.Timeout {
    const delay = Math.max(0, expiresAt - Date.now());
    return setTimeout(() => {
      if (Date.now() >= expiresAt) socket.close(CloseCode.UNAUTHORIZED, 'token expired');
      else this.armExpiry(socket, expiresAt);
    }, Math.min(delay, MAX_TIMER_MS));
  }

  private readonly buckets = new WeakMap<ClientSocket, { bucket: TokenBucket; warnings: number; lastActivity: number }>();

  private async onMessage(socket: ClientSocket, data: RawData, isBinary: boolean): Promise<void> {
    if (socket.closed) return;
    const { limits, deps } = this.o;
    const now = Date.now();
    let state = this.buckets.get(socket);
    if (state === undefined) {
      state = { bucket: new TokenBucket(limits.ratePerSecond, limits.rateBurst, now), warnings: 0, lastActivity: 0 };
      this.buckets.set(socket, state);
    }
    if (isBinary) return socket.close(CloseCode.BAD_DATA, 'binary frames are not accepted');
    const decoded = decodeFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
    if (!decoded.ok) return socket.close(CloseCode.BAD_DATA, decoded.reason.slice(0, 120));
    const action = decoded.value.action;
    if (!state.bucket.take(now)) {
      state.warnings += 1;
      if (state.warnings > limits.rateWarnings) return socket.close(CloseCode.POLICY_VIOLATION, 'rate limit exceeded');
      return socket.reply({ action: 'error', data: { for: action, code: 'rate_limited', msg: 'Too many messages: slow down' } });
    }
    const correlationId = randomUUID();
    try {
      const result = await dispatch(deps, this.o.hub, socket, decoded.value, correlationId);
      if (isRefusal(result)) socket.reply({ action: 'error', data: { for: action, code: result.code, msg: result.msg } });
      // Activity is refreshed by meaningful actions, at most once per throttle period per socket.
      if (action !== 'user_offline' && now - state.lastActivity >= limits.activityThrottleMs) {
        state.lastActivity = now;
        await recordActivity(deps, socket.actor, correlationId);
      }
    } catch (err) {
      this.o.logger.error({ err, action, userId: socket.userId }, 'command failed');
      socket.reply({ action: 'error', data: { for: action, code: 'internal_error', msg: 'The server could not handle this action' } });
    }
  }

  private async onClose(socket: ClientSocket): Promise<void> {
    const { deps } = this.o;
    const correlationId = randomUUID();
    const outcome = await closeConnection(deps, socket.actor, correlationId);
    // The inviter's last socket closing withdraws their pending invitations.
    if (!isRefusal(outcome) && outcome.events.some((e) => e.type === 'UserWentOffline')) {
      await cancelInvitationsOf(deps, socket.userId, correlationId);
    }
  }

  /** Stops accepting, closes every socket with 1001 and waits for in-flight commands. */
  async drain(): Promise<void> {
    this.accepting = false;
    clearInterval(this.boundTimer);
    for (const s of this.o.hub.all()) s.close(CloseCode.GOING_AWAY, 'server shutting down');
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.wss.close();
  }
}
