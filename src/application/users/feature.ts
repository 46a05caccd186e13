import type { Feature } from '../shared/feature.js';

/** Users: known from their first valid token, a username held by one user at a time (users/register.ts). */
export const users = {
  projections: {
    UserRegistered: (e) => [{ kind: 'UpsertUser', ...e.data }],
    UserProfileUpdated: (e) => [{ kind: 'UpsertUser', ...e.data }],
    // Whoever else had the name keeps its record (chats, notifications) but no longer answers to it.
    UsernameClaimed: (e) => [{ kind: 'ClaimUsername', username: e.data.username, userId: e.data.userId }],
  },
  describe: {
    UserRegistered: (e) => `${e.data.username} became known (nickname ${JSON.stringify(e.data.nickname)})`,
    UserProfileUpdated: (e) => `${e.data.username} updated their profile (nickname ${JSON.stringify(e.data.nickname)})`,
    UsernameClaimed: (e, u) =>
      `${u(e.data.userId)} holds the username ${e.data.username}${e.data.previousHolderId === null ? '' : ` (before: ${u(e.data.previousHolderId)}, who no longer does)`}`,
  },
} satisfies Feature;
