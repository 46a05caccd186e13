import type { EventOfType } from '../../domain/events.js';
import { send, userGroup, type Delivery, type FrameContext } from '../broadcast/delivery.js';
import type { Feature } from '../shared/feature.js';
import { frameOf } from '../wire/server-frames.js';

type BlockEvent = EventOfType<'UserBlocked' | 'UserUnblocked'>;

/**
 * `block_update` to both users, each from its own side: the event gives its blocker's flag, the
 * block graph the other direction's (a block is one-directional; the other user's may stand).
 */
const blockUpdate = (e: BlockEvent, { position, profile, blocked }: FrameContext): Delivery[] => {
  const { userId, blockedId } = e.data;
  const mine = e.type === 'UserBlocked';
  const theirs = blocked(blockedId, userId);
  return [
    send(userGroup(userId), frameOf('block_update', { username: profile(blockedId).username, is_blocked_user: mine, is_blocked_by_user: theirs }, position)),
    send(userGroup(blockedId), frameOf('block_update', { username: profile(userId).username, is_blocked_user: theirs, is_blocked_by_user: mine }, position)),
  ];
};
const bothUsers = (e: BlockEvent): readonly string[] => [e.data.userId, e.data.blockedId];

/** Blocks: one user's block list on its own stream; every rule between two users checks both lists. */
export const blocks = {
  projections: {
    UserBlocked: (e) => [{ kind: 'Block', userId: e.data.userId, blockedId: e.data.blockedId, at: e.data.at }],
    UserUnblocked: (e) => [{ kind: 'Unblock', userId: e.data.userId, blockedId: e.data.blockedId }],
  },
  frames: {
    UserBlocked: { profiles: bothUsers, deliveries: blockUpdate },
    UserUnblocked: { profiles: bothUsers, deliveries: blockUpdate },
  },
  describe: {
    UserBlocked: (e, u) => `${u(e.data.userId)} blocked ${u(e.data.blockedId)}`,
    UserUnblocked: (e, u) => `${u(e.data.userId)} unblocked ${u(e.data.blockedId)}`,
  },
} satisfies Feature;
