import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** Namespace for ids derived from other ids (uuid v5), fixed forever: changing it forks chats. */
const NAMESPACE = '6f1c3c2e-8a4b-5d7e-9f10-2b3c4d5e6f70';

/** One chat per pair of users, whatever node or order creates it: concurrent creations meet on one stream. */
export const chatIdFor = (a: string, b: string): string => uuidv5(a < b ? `chat:${a}:${b}` : `chat:${b}:${a}`, NAMESPACE);

/**
 * New ids (events, messages, invitations) are uuid v7: time-ordered, so the unique indexes on
 * them (the log's event ids, the read models' message ids) grow at their end instead of at
 * random pages, which halves the cost of an insert once they outgrow the page cache.
 */
export const newId = (): string => uuidv7();
