import type { ReadModelChange } from '../ports/read-model.js';

/**
 * The read models, by name. They are fed by one projection (one checkpoint) but can be rebuilt
 * one by one: `npm run replay -- --projection chats`. A group lists the groups whose tables its
 * changes read (the tournament fan-out reads the user directory), which are rebuilt with it.
 */
export const PROJECTION_GROUPS = {
  users: { kinds: ['UpsertUser', 'ClaimUsername', 'SetOnline', 'EraseUser'], needs: [] },
  chats: { kinds: ['CreateChat', 'AddMessage', 'SetLiked', 'MarkMessagesRead', 'EraseMessagesOf'], needs: [] },
  notifications: {
    kinds: ['AddNotification', 'AddNotificationForAllUsers', 'MarkNotificationRead', 'MarkNotificationReadById', 'MarkAllNotificationsRead'],
    needs: ['users'],
  },
  blocks: { kinds: ['Block', 'Unblock'], needs: [] },
} as const satisfies Record<string, { kinds: readonly ReadModelChange['kind'][]; needs: readonly string[] }>;

export type ProjectionGroup = keyof typeof PROJECTION_GROUPS;

export const ALL_GROUPS = Object.keys(PROJECTION_GROUPS) as ProjectionGroup[];

export const isProjectionGroup = (s: string): s is ProjectionGroup => Object.hasOwn(PROJECTION_GROUPS, s);

/** The group and every group it needs, transitively. */
export const withDependencies = (group: ProjectionGroup): readonly ProjectionGroup[] => {
  const out = new Set<ProjectionGroup>([group]);
  for (const dep of PROJECTION_GROUPS[group].needs) for (const g of withDependencies(dep)) out.add(g);
  return [...out];
};

export const groupOfChange = (kind: ReadModelChange['kind']): ProjectionGroup => {
  for (const g of ALL_GROUPS) if ((PROJECTION_GROUPS[g].kinds as readonly string[]).includes(kind)) return g;
  throw new Error(`change ${kind} belongs to no projection group`);
};
