import { deliveriesOfRecorded } from '../../application/broadcast/broadcaster.js';
import { compareFramePositions, parseFramePosition, type FramePosition } from '../../application/broadcast/frame-position.js';
import { isPresenceFrame, reaches, type Frame } from '../../application/broadcast/frames.js';
import type { ProfileDirectory } from '../../application/broadcast/profile-directory.js';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import type { ClientSocket } from './client-socket.js';
import type { Hub } from './hub.js';

const PAGE = 2000;

export type Backlog =
  | { readonly kind: 'frames'; readonly frames: readonly Frame[] }
  /** More than the bound: the client reloads over REST and takes live frames from `through`. */
  | { readonly kind: 'too_many'; readonly through: Position };

/** The event just before `at` or earlier: reading after it includes the event at `at` itself. */
const justBefore = (at: Position): Position => ({ commit: at.commit > 0n ? at.commit - 1n : 0n, prepare: at.prepare > 0n ? at.prepare - 1n : 0n });

/**
 * `?since=`: every frame the socket would have got after `since`, in order, read from the log
 * (chat groups created meanwhile are joined on the way), routed as live frames are: presence by
 * the graph's current `audienceOf` (so a contact blocked since is not replayed). Collected before any is sent, so a
 * backlog over `maxFrames` costs the client nothing but a `resync_required`.
 */
export const collectBacklog = async (
  store: EventStore,
  profiles: ProfileDirectory,
  hub: Hub,
  socket: ClientSocket,
  since: FramePosition,
  maxFrames: number,
): Promise<Backlog> => {
  const frames: Frame[] = [];
  // A frame position inside an event (`123.1`) resumes within that event: read it again.
  let after = since.index === undefined ? since.at : justBefore(since.at);
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    for (const recorded of page) {
      for (const d of await deliveriesOfRecorded(recorded, profiles, hub.presence.audienceOf)) {
        if (d.kind === 'join') {
          if (d.userId === socket.userId) hub.join(socket, d.group);
        } else if (socket.batchedPresence && isPresenceFrame(d.frame)) {
          // Batched presence is state, not deltas: the socket got a fresh `presence_state` instead.
        } else if (socket.groups.has(d.group) && reaches(d, socket.userId) && isAfter(d.frame, since)) {
          frames.push(d.frame);
          if (frames.length > maxFrames) return { kind: 'too_many', through: lastOf(page) };
        }
      }
      after = recorded.position;
      if (socket.closed) return { kind: 'frames', frames };
    }
    if (page.length < PAGE) return { kind: 'frames', frames };
  }
};

const isAfter = (frame: Frame, since: FramePosition): boolean => {
  const p = frame.position === undefined ? undefined : parseFramePosition(frame.position);
  return p === undefined || compareFramePositions(p, since) > 0;
};

const lastOf = (page: readonly { readonly position: Position }[]): Position => {
  const last = page[page.length - 1];
  if (last === undefined) throw new Error('lastOf: empty page');
  return last.position;
};
