import type { Feature } from '../shared/feature.js';

/** Blocks: one user's block list on its own stream; every rule between two users checks both lists. */
export const blocks = {
  projections: {
    UserBlocked: (e) => [{ kind: 'Block', userId: e.data.userId, blockedId: e.data.blockedId, at: e.data.at }],
    UserUnblocked: (e) => [{ kind: 'Unblock', userId: e.data.userId, blockedId: e.data.blockedId }],
  },
  describe: {
    UserBlocked: (e, u) => `${u(e.data.userId)} blocked ${u(e.data.blockedId)}`,
    UserUnblocked: (e, u) => `${u(e.data.userId)} unblocked ${u(e.data.blockedId)}`,
  },
} satisfies Feature;
