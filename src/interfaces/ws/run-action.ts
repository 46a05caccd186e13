import { randomUUID } from 'node:crypto';
import { formatFramePosition } from '../../application/broadcast/frame-position.js';
import type { Position } from '../../application/ports/event-store.js';
import { recordActivity } from '../../application/presence/connections.js';
import { ReadSideUnavailable } from '../../application/read-models/read-side.js';
import type { StoredMessage } from '../../application/shared/feature.js';
import type { ActionName } from '../../application/wire/client-actions.js';
import { answerOf } from '../../application/wire/server-frames.js';
import { isRefusal, publicCode, type PublicRefusalCode } from '../../domain/shared/decision.js';
import type { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import type { ConnectionContext } from './connection-context.js';
import type { DecodeResult } from './decode-frame.js';
import { dispatch } from './dispatch.js';

/** A refusal or a fault, for the sender only, with the frame's `ref` when it had one. */
export const errorOf = (action: ActionName, code: PublicRefusalCode, msg: string, ref: string | undefined) =>
  answerOf('error', { for: action, code, msg }, ref);

/**
 * One socket's decoded frames, each run as its command: refusals and faults answered with
 * `error`, a frame with a `ref` answered exactly once (its `ack`, or that `error` with the `ref`),
 * activity recorded.
 */
export class ActionRunner {
  private lastActivity = 0;
  private stored: Position | undefined;

  constructor(
    private readonly c: ConnectionContext,
    private readonly socket: ClientSocket,
  ) {}

  /** Where the last event stored by this socket's frames is. */
  get lastStored(): Position | undefined {
    return this.stored;
  }

  async run(decoded: DecodeResult): Promise<void> {
    const socket = this.socket;
    if (!decoded.ok) return socket.close(CloseCode.BAD_DATA, decoded.reason.slice(0, 120));
    const { deps, hub, limits } = this.c;
    const { action } = decoded.value;
    const ref = decoded.ref;
    const correlationId = randomUUID();
    const now = Date.now();
    let answered = false;
    try {
      const started = process.hrtime.bigint();
      const result = await dispatch(deps, hub, socket, decoded.value, correlationId);
      this.c.metrics?.command(action, Number(process.hrtime.bigint() - started) / 1e9);
      if (isRefusal(result)) {
        this.c.metrics?.refusal(result.code, 'ws');
        socket.reply(errorOf(action, publicCode(result.code), result.msg, ref));
      } else {
        if (result.position !== undefined) this.stored = result.position;
        if (ref !== undefined) await this.acknowledge(action, ref, result.position, result.message);
      }
      answered = true;
      // Activity is refreshed by meaningful actions, at most once per throttle period per socket.
      if (action !== 'user_offline' && now - this.lastActivity >= limits.activityThrottleMs) {
        this.lastActivity = now;
        await recordActivity(deps, socket.actor, correlationId);
      }
    } catch (err) {
      const unavailable = err instanceof ReadSideUnavailable;
      if (!unavailable) this.c.logger.error({ err, action, userId: socket.userId }, 'command failed');
      // A `ref` is answered once: a fault after its answer (recording activity) is only logged.
      if (answered && ref !== undefined) return;
      if (unavailable) {
        this.c.metrics?.refusal('unavailable', 'ws');
        return socket.reply(errorOf(action, 'unavailable', 'The service is catching up: retry', ref));
      }
      socket.reply(errorOf(action, 'internal_error', 'The server could not handle this action', ref));
    }
  }

  /**
   * An `ack` with a `position` promises that this socket already has the action's frames. The
   * broadcaster pushes an event's frames to the sockets before its tracker passes the event, so
   * once it has, the `ack` follows them on the wire. If it has not within the bound, the answer
   * is `unavailable` rather than an `ack` that would come before the frames it vouches for.
   */
  private async acknowledge(action: ActionName, ref: string, position: Position | undefined, message: StoredMessage | undefined): Promise<void> {
    if (position !== undefined && !(await this.c.broadcasterTracker.waitFor(position, this.c.limits.ackWaitMs))) {
      this.c.logger.warn({ action, userId: this.socket.userId }, 'ack not confirmed: the broadcaster did not pass the position in time');
      this.c.metrics?.refusal('unavailable', 'ws');
      this.socket.reply(errorOf(action, 'unavailable', 'Stored, but not yet sent to this socket: its frames follow; resend only if it is idempotent', ref));
      return;
    }
    this.socket.reply(
      answerOf('ack', { for: action, ...(position === undefined ? {} : { position: formatFramePosition({ at: position }) }), ...message }, ref),
    );
  }
}
