import type { Feature } from '../shared/feature.js';
import { ephemeral } from './ephemeral.js';
import { friends } from './friends.js';
import { reading } from './reading.js';
import { tournaments } from './tournaments.js';

/** Notifications: ephemeral ones to one's own sockets, friendships and tournaments announced and stored, reading them (`notification_read` to every tab). */
export const notifications = {
  actions: { ...ephemeral.actions, ...friends.actions, ...tournaments.actions, ...reading.actions },
  projections: { ...friends.projections, ...tournaments.projections, ...reading.projections },
  frames: { ...ephemeral.frames, ...friends.frames, ...tournaments.frames, ...reading.frames },
  describe: { ...ephemeral.describe, ...friends.describe, ...tournaments.describe, ...reading.describe },
} satisfies Feature;
