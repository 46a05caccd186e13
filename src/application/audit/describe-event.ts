import type { AnyDomainEvent } from '../../domain/events.js';

const USER_FIELDS = ['userId', 'senderId', 'readerId', 'blockedId', 'friendId', 'inviterId', 'inviteeId', 'organizerId', 'by', 'createdBy'];
const USER_LISTS = ['members', 'players'];

/** The user ids an event concerns: its actor, and anyone it names. */
export const usersInvolved = (e: AnyDomainEvent): readonly string[] => {
  const data: Readonly<Record<string, unknown>> = e.data;
  const ids: string[] = [];
  for (const key of USER_FIELDS) {
    const v = data[key];
    if (typeof v === 'string') ids.push(v);
  }
  for (const key of USER_LISTS) {
    const v = data[key];
    if (Array.isArray(v)) for (const id of v) if (typeof id === 'string') ids.push(id);
  }
  return ids;
};
