import type { Feature } from '../shared/feature.js';

const erasedMark = (erased: boolean) => (erased ? { erased: true as const } : {});

/** Users: known from their first valid token, a username held by one user at a time (users/register.ts); erasure (erasure/). */
export const users = {
  projections: {
    UserRegistered: (e, { erased }) => [{ kind: 'UpsertUser', ...e.data, ...erasedMark(erased) }],
    UserProfileUpdated: (e, { erased }) => [{ kind: 'UpsertUser', ...e.data, ...erasedMark(erased) }],
    // Whoever else had the name keeps its record (chats, notifications) but no longer answers to it.
    UsernameClaimed: (e) => [{ kind: 'ClaimUsername', username: e.data.username, userId: e.data.userId }],
    // Every copy of the profile and of the messages' content, in every read model, is overwritten.
    UserErased: (e) => [
      { kind: 'EraseUser', userId: e.data.userId, alias: e.data.alias },
      { kind: 'EraseMessagesOf', userId: e.data.userId },
    ],
  },
  describe: {
    UserRegistered: (e) => `${e.data.username} became known (nickname ${JSON.stringify(e.data.nickname)})`,
    UserProfileUpdated: (e) => `${e.data.username} updated their profile (nickname ${JSON.stringify(e.data.nickname)})`,
    UsernameClaimed: (e, u) =>
      `${u(e.data.userId)} holds the username ${e.data.username}${e.data.previousHolderId === null ? '' : ` (before: ${u(e.data.previousHolderId)}, who no longer does)`}`,
    ErasureRequested: (e, u) => `erasing ${u(e.data.userId)} was requested (${e.data.keyIds.length} key${e.data.keyIds.length === 1 ? '' : 's'} to destroy)`,
    UserErased: (e) => `${e.data.alias} was erased: their keys are destroyed, their personal data can no longer be read`,
  },
} satisfies Feature;
