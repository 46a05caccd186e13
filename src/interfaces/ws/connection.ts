import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { FramePosition } from '../../application/broadcast/frame-position.js';
import type { Actor } from '../../application/shared/deps.js';
import { ClientSocket, type SocketLimits } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import type { ConnectionContext } from './connection-context.js';
import { InboundFrames } from './inbound.js';
import { closeOut, Liveness } from './liveness.js';
import { setUp } from './setup.js';

/**
 * What a gateway's connections share besides the context, made once rather than per socket (an
 * idle socket's memory is what scenario (c) of the benchmarks measures).
 */
export interface ConnectionShared {
  readonly socketLimits: SocketLimits;
  /** Told once the close-out is written, or was not needed. */
  readonly onFinished: (connection: Connection) => void;
}

/**
 * One socket's life: set-up (setup.ts) ending in `ready`, then its frames one at a time in arrival
 * order (inbound.ts), while its liveness is watched (liveness.ts), then the close-out. Every path
 * ends in a defined state: a fault closes the socket, and a socket that counted as connected is
 * counted out exactly once.
 */
export class Connection {
  readonly socket: ClientSocket;
  /** Made at the client's first frame: most sockets only listen, and an idle socket's memory counts. */
  private inbound: InboundFrames | undefined;
  private ready = false;
  private readonly liveness: Liveness;
  /** Until set-up ends (then dropped, as an idle socket would keep it). */
  private setupDone: Promise<void> | undefined;
  /** True once `ConnectionOpened` was stored: only then is there anything to close out. */
  private opened = false;
  private closeOutOk = true;
  private readonly openedAt = Date.now();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly c: ConnectionContext,
    private readonly shared: ConnectionShared,
    ws: WebSocket,
    raw: Duplex,
    /** Registered already: the gateway answers the upgrade only once that is stored. */
    actor: Actor,
    expiresAt: number,
    since: FramePosition | undefined,
    batchedPresence = false,
  ) {
    this.socket = new ClientSocket(ws, raw, actor, shared.socketLimits, batchedPresence);
    this.liveness = new Liveness(this.socket, expiresAt);
    ws.on('message', (data, isBinary) => this.inboundFrames().receive(data, isBinary));
    ws.on('close', () => void this.onClosed());
    ws.on('pong', () => this.liveness.pong());
    ws.on('error', (err) => c.logger.warn({ err, userId: actor.userId }, 'websocket error'));
    this.setupDone = setUp(c, this.socket, since, () => (this.opened = true)).then((ready) => {
      this.setupDone = undefined;
      this.ready = ready;
      if (ready) this.inbound?.start();
    });
  }

  private inboundFrames(): InboundFrames {
    if (this.inbound === undefined) {
      this.inbound = new InboundFrames(this.c, this.socket);
      if (this.ready) this.inbound.start();
    }
    return this.inbound;
  }

  /** False when a close-out could not be written: the node must leave its lease to lapse so another node does it. */
  get closedOutCleanly(): boolean {
    return this.closeOutOk;
  }

  /** The transport is gone (closed, terminated, or cut): leave every group now, close out once set-up and in-flight frames settle. */
  private onClosed(): Promise<void> {
    this.closing ??= (async () => {
      this.socket.closed = true;
      this.c.hub.remove(this.socket);
      await this.setupDone;
      await this.inbound?.settled;
      this.closeOutOk = await closeOut(this.c, this.socket, this.opened, this.openedAt);
      this.shared.onFinished(this);
    })();
    return this.closing;
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

  /** Called by the gateway's bound timer (see ClientSocket.checkBound). */
  checkBound(now: number): void {
    this.socket.checkBound(now);
  }

  /** Called by the gateway's heartbeat timer (see Liveness.check). */
  checkHeartbeat(now: number, intervalMs: number, timeoutMs: number): void {
    if (this.liveness.check(now, intervalMs, timeoutMs)) void this.terminate();
  }
}
