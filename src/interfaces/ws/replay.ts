import { deliveriesOfRecorded } from '../../application/broadcast/broadcaster.js';
import type { ProfileDirectory } from '../../application/broadcast/profile-directory.js';
import type { EventStore, Position } from '../../application/ports/event-store.js';
import type { ClientSocket } from './client-socket.js';
import type { Hub } from './hub.js';

const PAGE = 2000;

/**
 * `?since=`: sends the socket every frame it would have got after `since`, in order. Live
 * frames are held by the socket meanwhile and released after, minus those replayed.
 */
export const replaySince = async (store: EventStore, profiles: ProfileDirectory, hub: Hub, socket: ClientSocket, since: Position): Promise<void> => {
  let after = since;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    for (const recorded of page) {
      for (const d of await deliveriesOfRecorded(recorded, profiles)) {
        if (d.kind === 'join') {
          if (d.userId === socket.userId) hub.join(socket, d.group);
        } else if (socket.groups.has(d.group) && d.exceptUserId !== socket.userId) {
          socket.pushReplayed(d.frame);
        }
      }
      after = recorded.position;
      if (socket.closed) return;
    }
    if (page.length < PAGE) return;
  }
};
