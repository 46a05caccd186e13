import { randomUUID } from 'node:crypto';
import { recordActivity } from '../../application/commands/presence.js';
import type { Position } from '../../application/ports/event-store.js';
import { ReadSideUnavailable } from '../../application/queries/fresh-queries.js';
import { isRefusal } from '../../domain/shared/decision.js';
import type { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import type { ConnectionContext } from './connection-context.js';
import type { DecodeResult } from './decode-frame.js';
import { dispatch } from './dispatch.js';

/** One socket's decoded frames, each run as its command: refusals and faults answered with `error`, activity recorded. */
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
    const action = decoded.value.action;
    const correlationId = randomUUID();
    const now = Date.now();
    try {
      const started = process.hrtime.bigint();
      const result = await dispatch(deps, hub, socket, decoded.value, correlationId);
      this.c.metrics?.command(action, Number(process.hrtime.bigint() - started) / 1e9);
      if (!isRefusal(result) && result.position !== undefined) this.stored = result.position;
      if (isRefusal(result)) {
        this.c.metrics?.refusal(result.code, 'ws');
        socket.reply({ action: 'error', data: { for: action, code: result.code, msg: result.msg } });
      }
      // Activity is refreshed by meaningful actions, at most once per throttle period per socket.
      if (action !== 'user_offline' && now - this.lastActivity >= limits.activityThrottleMs) {
        this.lastActivity = now;
        await recordActivity(deps, socket.actor, correlationId);
      }
    } catch (err) {
      if (err instanceof ReadSideUnavailable) {
        this.c.metrics?.refusal('unavailable', 'ws');
        socket.reply({ action: 'error', data: { for: action, code: 'unavailable', msg: 'The service is catching up: retry' } });
        return;
      }
      this.c.logger.error({ err, action, userId: socket.userId }, 'command failed');
      socket.reply({ action: 'error', data: { for: action, code: 'internal_error', msg: 'The server could not handle this action' } });
    }
  }
}
