import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { formatFramePosition, type FramePosition } from '../../application/broadcast/frame-position.js';
import { ONLINE_USERS, chatGroup, userGroup } from '../../application/broadcast/delivery.js';
import type { ProfileDirectory } from '../../application/users/profile-directory.js';
import type { Actor, CommandDeps } from '../../application/shared/deps.js';
import { closeConnection, openConnection, recordActivity } from '../../application/presence/connections.js';
import { ReadSideUnavailable } from '../../application/read-models/read-side.js';
import type { LogProcessor } from '../../application/log/log-processor.js';
import { frameOf } from '../../application/wire/server-frames.js';
import type { ActionName } from '../../application/wire/client-actions.js';
import { publicCode } from '../../domain/shared/decision.js';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import { comparePositions } from '../../application/ports/position.js';
import type { PositionTracker } from '../../application/log/position-tracker.js';
import { isRefusal } from '../../domain/shared/decision.js';
import { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import { decodeFrame, type DecodeResult } from './decode-frame.js';
import { dispatch } from './dispatch.js';
import type { Hub } from './hub.js';
import { TokenBucket } from './rate-limiter.js';
import type { WsMetrics } from '../metrics/service-metrics.js';
import { collectBacklog } from './replay.js';

export interface ConnectionLimits {
  readonly maxBufferedBytes: number;
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  readonly rateWarnings: number;
  readonly activityThrottleMs: number;
  /** Frames received but not yet handled; past this the client is flooding (1008). */
  readonly maxQueuedFrames: number;
  /** A resume with more frames than this gets `resync_required` instead. */
  readonly resumeMaxFrames: number;
}

export interface ConnectionContext {
  readonly deps: CommandDeps;
  readonly store: EventStore;
  /** The log's bounded passes (a resume's backlog). */
  readonly log: LogProcessor;
  readonly profiles: ProfileDirectory;
  readonly hub: Hub;
  readonly broadcasterTracker: PositionTracker;
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
  readonly metrics?: WsMetrics;
}

export interface Identity {
  readonly userId: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly expiresAt: number;
}

/** How long a queued close waits for the frames of what the socket stored before it. */
const CLOSE_FLUSH_MS = 2000;

/** setTimeout's ceiling: longer token lifetimes are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class SetupAborted extends Error {}

/** What arrived, as it waits for its turn: a frame to handle, or the answer its arrival already decided. */
type Inbound =
  | { readonly kind: 'frame'; readonly decoded: DecodeResult }
  | { readonly kind: 'rate_limited'; readonly action: ActionName }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

const rawText = (data: RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');

/**
 * One socket's life: set-up (register, groups, resume) ending in `ready`, then its frames one at a
 * time in arrival order, then the close-out. Every path ends in a defined state: a fault closes
 * the socket, and a socket that counted as connected is counted out exactly once.
 */
export class Connection {
  readonly socket: ClientSocket;
  /** Settles (never rejects) when the close-out is written, or was not needed. */
  readonly finished: Promise<void>;
  private readonly queue: Inbound[] = [];
  /** A close waits in the queue: later frames are not taken. */
  private closeQueued = false;
  /** Where the last event stored by this socket's frames is: a queued close waits for the broadcaster to pass it. */
  private lastStored: Position | undefined;
  private pumping = false;
  private ready = false;
  /** True once `ConnectionOpened` was stored: only then is there anything to close out. */
  private opened = false;
  private closeOutOk = true;
  private readonly bucket: TokenBucket;
  private warnings = 0;
  private lastActivity = 0;
  private expiry: NodeJS.Timeout | undefined;
  private resolveFinished!: () => void;
  private setupDone: Promise<void> = Promise.resolve();
  private current: Promise<void> = Promise.resolve();
  private pingSentAt: number | undefined;
  private openedAt = 0;
  private lastPong = Date.now();

  constructor(
    private readonly c: ConnectionContext,
    ws: WebSocket,
    raw: Duplex,
    /** Registered already: the gateway answers the upgrade only once that is stored. */
    actor: Actor,
    expiresAt: number,
    private readonly since: FramePosition | undefined,
    batchedPresence = false,
  ) {
    const metrics = c.metrics;
    this.socket = new ClientSocket(
      ws,
      raw,
      actor,
      {
        maxBufferedBytes: c.limits.maxBufferedBytes,
        overBoundGraceMs: 1000,
        ...(metrics === undefined ? {} : { onFrameOut: (action: string) => metrics.frameOut(action) }),
      },
      batchedPresence,
    );
    this.openedAt = Date.now();
    this.bucket = new TokenBucket(c.limits.ratePerSecond, c.limits.rateBurst, Date.now());
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => void this.onClosed());
    ws.on('pong', () => {
      this.pingSentAt = undefined;
      this.lastPong = Date.now();
    });
    ws.on('error', (err) => c.logger.warn({ err, userId: actor.userId }, 'websocket error'));
    this.armExpiry(expiresAt);
    this.setupDone = this.setup();
  }

  /** False when a close-out could not be written: the node must leave its lease to lapse so another node does it. */
  get closedOutCleanly(): boolean {
    return this.closeOutOk;
  }

  private async setup(): Promise<void> {
    const { deps, hub, limits } = this.c;
    const socket = this.socket;
    const actor = socket.actor;
    const correlationId = actor.connectionId ?? randomUUID();
    try {
      // Live frames are held from the moment the socket joins its groups; everything broadcast
      // before that is read from the log, so nothing falls between the two.
      socket.beginReplay();
      const joinedAt = this.c.broadcasterTracker.position;
      hub.add(socket);
      hub.join(socket, userGroup(actor.userId));
      hub.join(socket, ONLINE_USERS);
      // Taken with the joins: the diffs the socket gets from now on start where this state stands.
      const presenceState = socket.batchedPresence ? hub.presenceStateFor(socket) : undefined;
      // The chat list covers what was broadcast before the socket joined: FreshQueries waits for
      // the log's head (at or past `joinedAt`), or throws and the set-up fails.
      for (const chatId of await (await deps.lookups()).chatIdsOf(actor.userId)) hub.join(socket, chatGroup(chatId));
      this.abortIfClosed();
      const from: FramePosition | undefined = this.since ?? (joinedAt === undefined ? undefined : { at: joinedAt });
      const backlog = from === undefined ? undefined : await collectBacklog(this.c.log, this.c.profiles, hub, socket, from, limits.resumeMaxFrames);
      this.abortIfClosed();
      await openConnection(deps, actor, correlationId);
      this.opened = true;
      this.abortIfClosed();

      if (backlog?.kind === 'too_many') {
        // Live frames continue from whichever is later: what the scan reached, or what the broadcaster had sent before this socket joined.
        const through = joinedAt !== undefined && comparePositions(joinedAt, backlog.through) > 0 ? joinedAt : backlog.through;
        const position = formatFramePosition({ at: through });
        socket.reply({ action: 'ready', data: { position, username: actor.username } });
        if (presenceState !== undefined) socket.reply(presenceState.frame, presenceState.text);
        socket.reply({ action: 'resync_required', data: { position } });
        socket.skipThrough({ at: through });
      } else {
        socket.reply({ action: 'ready', data: { position: from === undefined ? '0' : formatFramePosition(from), username: actor.username } });
        if (presenceState !== undefined) socket.reply(presenceState.frame, presenceState.text);
        if (from !== undefined) socket.skipThrough(from);
        for (const frame of backlog?.frames ?? []) socket.pushReplayed(frame);
      }
      socket.endReplay();
      this.ready = true;
      this.c.metrics?.resumeBacklog(backlog?.kind === 'frames' ? backlog.frames.length : backlog === undefined ? 0 : limits.resumeMaxFrames + 1);
      this.c.logger.info(
        {
          connectionId: actor.connectionId,
          userId: actor.userId,
          username: actor.username,
          since: this.since === undefined ? undefined : formatFramePosition(this.since),
          resync: backlog?.kind === 'too_many',
        },
        'socket open',
      );
      this.pump();
    } catch (err) {
      if (err instanceof SetupAborted) return;
      this.c.logger.error({ err, userId: actor.userId }, 'websocket set-up failed');
      socket.close(CloseCode.INTERNAL_ERROR, 'set-up failed: retry');
      // Out of every group now, not when the closing handshake ends.
      hub.remove(socket);
    }
  }

  private abortIfClosed(): void {
    if (this.socket.closed) throw new SetupAborted();
  }

  /**
   * Arrival: the rate limit and the queue bound are taken here, so a slow command cannot hide a
   * flood; but every answer, refusals and closes included, waits its turn in the queue, so
   * nothing is sent before `ready` and frames accepted before a close are still handled.
   */
  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.socket.closed || this.closeQueued) return;
    if (isBinary) return this.enqueue({ kind: 'close', code: CloseCode.BAD_DATA, reason: 'binary frames are not accepted' });
    let decoded: DecodeResult;
    try {
      decoded = decodeFrame(rawText(data));
    } catch {
      decoded = { ok: false, reason: 'undecodable frame' };
    }
    this.c.metrics?.frameIn(decoded.ok ? decoded.value.action : 'undecodable');
    if (decoded.ok && !this.bucket.take(Date.now())) {
      this.warnings += 1;
      if (this.warnings > this.c.limits.rateWarnings) return this.enqueue({ kind: 'close', code: CloseCode.POLICY_VIOLATION, reason: 'rate limit exceeded' });
      this.c.metrics?.refusal('rate_limited', 'ws');
      return this.enqueue({ kind: 'rate_limited', action: decoded.value.action });
    }
    if (this.queue.length >= this.c.limits.maxQueuedFrames)
      return this.enqueue({ kind: 'close', code: CloseCode.POLICY_VIOLATION, reason: 'too many frames waiting' });
    this.enqueue({ kind: 'frame', decoded });
  }

  private enqueue(item: Inbound): void {
    if (item.kind === 'close') this.closeQueued = true;
    this.queue.push(item);
    this.pump();
  }

  private pump(): void {
    if (this.pumping || !this.ready) return;
    this.pumping = true;
    this.current = (async () => {
      try {
        for (let next = this.queue.shift(); next !== undefined && !this.socket.closed; next = this.queue.shift()) await this.take(next);
      } catch (err) {
        this.c.logger.error({ err, userId: this.socket.userId }, 'websocket frame handling failed');
        this.socket.close(CloseCode.INTERNAL_ERROR, 'server fault');
      } finally {
        this.pumping = false;
        this.queue.length = 0;
      }
    })();
    void this.current;
  }

  private async take(item: Inbound): Promise<void> {
    switch (item.kind) {
      case 'frame':
        return this.handle(item.decoded);
      case 'rate_limited':
        return this.socket.reply(frameOf('error', { for: item.action, code: 'rate_limited', msg: 'Too many messages: slow down' }));
      case 'close':
        // What the frames before it stored reaches this socket first: accepted means answered.
        if (this.lastStored !== undefined) await this.c.broadcasterTracker.waitFor(this.lastStored, CLOSE_FLUSH_MS);
        return this.socket.close(item.code, item.reason);
    }
  }

  private async handle(decoded: DecodeResult): Promise<void> {
    const socket = this.socket;
    if (!decoded.ok) return socket.close(CloseCode.BAD_DATA, decoded.reason.slice(0, 120));
    const { deps, hub, limits } = this.c;
    const action = decoded.value.action;
    const correlationId = randomUUID();
    const now = Date.now();
    try {
      const started = process.hrtime.bigint();
      const result = await dispatch(deps, hub, socket, decoded.value, correlationId);
      this.c.metrics?.command(action, Number(process.hrtime.bigint() - started) / 1e9);
      if (!isRefusal(result) && result.position !== undefined) this.lastStored = result.position;
      if (isRefusal(result)) {
        this.c.metrics?.refusal(result.code, 'ws');
        socket.reply(frameOf('error', { for: action, code: publicCode(result.code), msg: result.msg }));
      }
      // Activity is refreshed by meaningful actions, at most once per throttle period per socket.
      if (action !== 'user_offline' && now - this.lastActivity >= limits.activityThrottleMs) {
        this.lastActivity = now;
        await recordActivity(deps, socket.actor, correlationId);
      }
    } catch (err) {
      if (err instanceof ReadSideUnavailable) {
        this.c.metrics?.refusal('unavailable', 'ws');
        socket.reply(frameOf('error', { for: action, code: 'unavailable', msg: 'The service is catching up: retry' }));
        return;
      }
      this.c.logger.error({ err, action, userId: socket.userId }, 'command failed');
      socket.reply(frameOf('error', { for: action, code: 'internal_error', msg: 'The server could not handle this action' }));
    }
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

  /** The transport is gone (closed, terminated, or cut): leave every group now, close out once set-up and in-flight frames settle. */
  private closing: Promise<void> | undefined;
  private onClosed(): Promise<void> {
    this.closing ??= (async () => {
      this.socket.closed = true;
      this.c.hub.remove(this.socket);
      clearTimeout(this.expiry);
      await this.setupDone;
      await this.current;
      try {
        await this.closeOut();
      } catch (err) {
        this.closeOutOk = false;
        this.c.logger.error({ err, userId: this.socket.userId }, 'connection close-out failed: left to the node-lease check');
      }
      this.c.logger.info(
        { connectionId: this.socket.actor.connectionId, userId: this.socket.userId, openMs: Date.now() - this.openedAt, counted: this.opened },
        'socket closed',
      );
      this.resolveFinished();
    })();
    return this.closing;
  }

  private async closeOut(): Promise<void> {
    if (!this.opened) return;
    const { deps } = this.c;
    const correlationId = randomUUID();
    // When it was the user's last, `UserWentOffline` follows, and a reactor withdraws their invitations.
    await closeConnection(deps, this.socket.actor, correlationId);
  }

  /** Shutdown: close with 1001 and write the close-out now, without waiting for the client's half of the closing handshake. */
  shutdown(): Promise<void> {
    this.socket.close(CloseCode.GOING_AWAY, 'server shutting down');
    return this.onClosed();
  }

  /** The heartbeat gave up on it: cut the transport, then count it out like any close. */
  terminate(): Promise<void> {
    this.socket.terminate();
    return this.onClosed();
  }

  /**
   * Called by the gateway's heartbeat timer: ping after `intervalMs` of silence; a ping not answered
   * within `timeoutMs` means a half-open connection (a closed lid, a changed network).
   */
  checkHeartbeat(now: number, intervalMs: number, timeoutMs: number): void {
    const ws = this.socket.ws;
    if (this.socket.closed || ws.readyState !== ws.OPEN) return;
    if (this.pingSentAt !== undefined) {
      if (now - this.pingSentAt >= timeoutMs) void this.terminate();
      return;
    }
    if (now - this.lastPong >= intervalMs) {
      this.pingSentAt = now;
      ws.ping();
    }
  }
}
