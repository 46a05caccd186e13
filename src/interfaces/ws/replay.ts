import { deliveriesOfStored } from '../../application/broadcast/broadcaster.js';
import { isPresenceFrame, reaches } from '../../application/broadcast/delivery.js';
import { compareFramePositions, parseFramePosition, type FramePosition } from '../../application/broadcast/frame-position.js';
import type { LogProcessor } from '../../application/log/log-processor.js';
import type { Position } from '../../application/ports/event-store.js';
import type { ProfileDirectory } from '../../application/users/profile-directory.js';
import type { ServerFrame } from '../../application/wire/server-frames.js';
import type { ClientSocket } from './client-socket.js';
import type { Hub } from './hub.js';

const PAGE = 2000;

export type Backlog =
  | { readonly kind: 'frames'; readonly frames: readonly ServerFrame[] }
  /** More than the bound: the client reloads over REST and takes live frames from `through`. */
  | { readonly kind: 'too_many'; readonly through: Position };

/** The event just before `at` or earlier: reading after it includes the event at `at` itself. */
const justBefore = (at: Position): Position => ({ commit: at.commit > 0n ? at.commit - 1n : 0n, prepare: at.prepare > 0n ? at.prepare - 1n : 0n });

/**
 * `?since=`: every frame the socket would have got after `since`, in order, read from the log
 * (chat groups created meanwhile are joined on the way), routed as live frames are: presence by
 * the graph's current `audienceOf` (so a contact blocked since is not replayed), `block_update`
 * with the flags as they stood at its event. Collected before any is sent, so a
 * backlog over `maxFrames` costs the client nothing but a `resync_required`.
 */
export const collectBacklog = async (
  log: LogProcessor,
  profiles: ProfileDirectory,
  hub: Hub,
  socket: ClientSocket,
  since: FramePosition,
  maxFrames: number,
): Promise<Backlog> => {
  const frames: ServerFrame[] = [];
  // Flags as they stood at each event, also for block events the broadcaster has not taken yet.
  const blocks = hub.blocks.replay();
  // A frame position inside an event (`123.1`) resumes within that event: read it again.
  const after = since.index === undefined ? since.at : justBefore(since.at);
  for await (const page of log.pages({ after, pageSize: PAGE })) {
    for (const stored of page.events) {
      const { deliveries } = await deliveriesOfStored(stored, profiles, {
        audience: hub.presence.audienceOf,
        blocked: blocks.before(stored.recorded.position),
      });
      blocks.apply(stored.event);
      for (const d of deliveries) {
        if (d.kind === 'join') {
          if (d.userId === socket.userId) hub.join(socket, d.group);
        } else if (socket.batchedPresence && isPresenceFrame(d.frame)) {
          // Batched presence is state, not deltas: the socket got a fresh `presence_state` instead.
        } else if (hub.isMember(socket, d.group) && reaches(d, socket.userId) && isAfter(d.frame, since)) {
          frames.push(d.frame);
          if (frames.length > maxFrames) return { kind: 'too_many', through: page.through };
        }
      }
      if (socket.closed) return { kind: 'frames', frames };
    }
  }
  return { kind: 'frames', frames };
};

const isAfter = (frame: ServerFrame, since: FramePosition): boolean => {
  const p = frame.position === undefined ? undefined : parseFramePosition(frame.position);
  return p === undefined || compareFramePositions(p, since) > 0;
};
