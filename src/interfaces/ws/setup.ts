import { randomUUID } from 'node:crypto';
import { formatFramePosition, type FramePosition } from '../../application/broadcast/frame-position.js';
import { ONLINE_USERS, chatGroup, userGroup } from '../../application/broadcast/delivery.js';
import { openConnection } from '../../application/presence/connections.js';
import { comparePositions } from '../../application/ports/position.js';
import { frameOf } from '../../application/wire/server-frames.js';
import type { ClientSocket } from './client-socket.js';
import { CloseCode } from './close-codes.js';
import { MAX_FRAME_BYTES, type ConnectionContext, type ConnectionLimits } from './connection-context.js';
import { collectBacklog } from './replay.js';

class SetupAborted extends Error {}

/** `ready.limits`: this socket's flood-control figures, so that a client can pace itself exactly. */
const limitsOf = (l: ConnectionLimits) => ({ rate_per_second: l.ratePerSecond, burst: l.rateBurst, max_frame_bytes: MAX_FRAME_BYTES });

const abortIfClosed = (socket: ClientSocket): void => {
  if (socket.closed) throw new SetupAborted();
};

/**
 * A registered socket's set-up: its groups, its resume backlog, `ConnectionOpened`, then `ready`
 * (and the backlog, and the live frames held meanwhile). True once `ready` was sent; false when
 * the socket closed on the way, or a fault closed it (1011) and took it out of every group.
 * `opened` is called once `ConnectionOpened` is stored: from then on there is a close-out to write.
 */
export const setUp = async (c: ConnectionContext, socket: ClientSocket, since: FramePosition | undefined, opened: () => void): Promise<boolean> => {
  const { deps, hub, limits } = c;
  const actor = socket.actor;
  const correlationId = actor.connectionId ?? randomUUID();
  try {
    // Live frames are held from the moment the socket joins its groups; everything broadcast
    // before that is read from the log, so nothing falls between the two.
    socket.beginReplay();
    const joinedAt = c.broadcasterTracker.position;
    hub.add(socket);
    hub.join(socket, userGroup(actor.userId));
    hub.join(socket, ONLINE_USERS);
    // Taken with the joins: the diffs the socket gets from now on start where this state stands.
    const presenceState = socket.batchedPresence ? hub.presenceStateFor(socket) : undefined;
    // The chat list covers what was broadcast before the socket joined: the lookups wait for
    // the log's head (at or past `joinedAt`), or throw and the set-up fails.
    for (const chatId of await (await deps.lookups()).chatIdsOf(actor.userId)) hub.join(socket, chatGroup(chatId));
    abortIfClosed(socket);
    const from: FramePosition | undefined = since ?? (joinedAt === undefined ? undefined : { at: joinedAt });
    const backlog = from === undefined ? undefined : await collectBacklog(c.log, c.profiles, hub, socket, from, limits.resumeMaxFrames);
    abortIfClosed(socket);
    await openConnection(deps, actor, correlationId);
    opened();
    abortIfClosed(socket);

    if (backlog?.kind === 'too_many') {
      // Live frames continue from whichever is later: what the scan reached, or what the broadcaster had sent before this socket joined.
      const through = joinedAt !== undefined && comparePositions(joinedAt, backlog.through) > 0 ? joinedAt : backlog.through;
      const position = formatFramePosition({ at: through });
      socket.reply(frameOf('ready', { position, username: actor.username, limits: limitsOf(limits) }));
      if (presenceState !== undefined) socket.reply(presenceState.frame, presenceState.text);
      socket.reply(frameOf('resync_required', { position }));
      socket.skipThrough({ at: through });
    } else {
      const position = from === undefined ? '0' : formatFramePosition(from);
      socket.reply(frameOf('ready', { position, username: actor.username, limits: limitsOf(limits) }));
      if (presenceState !== undefined) socket.reply(presenceState.frame, presenceState.text);
      if (from !== undefined) socket.skipThrough(from);
      for (const frame of backlog?.frames ?? []) socket.pushReplayed(frame);
    }
    socket.endReplay();
    c.metrics?.resumeBacklog(backlog?.kind === 'frames' ? backlog.frames.length : backlog === undefined ? 0 : limits.resumeMaxFrames + 1);
    c.logger.info(
      {
        connectionId: actor.connectionId,
        userId: actor.userId,
        username: actor.username,
        since: since === undefined ? undefined : formatFramePosition(since),
        resync: backlog?.kind === 'too_many',
      },
      'socket open',
    );
    return true;
  } catch (err) {
    if (err instanceof SetupAborted) return false;
    c.logger.error({ err, userId: actor.userId }, 'websocket set-up failed');
    socket.close(CloseCode.INTERNAL_ERROR, 'set-up failed: retry');
    // Out of every group now, not when the closing handshake ends.
    hub.remove(socket);
    return false;
  }
};
