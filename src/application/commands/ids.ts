import { v5 as uuidv5 } from 'uuid';

/** Namespace for ids derived from other ids (uuid v5), fixed forever: changing it forks chats. */
const NAMESPACE = '6f1c3c2e-8a4b-5d7e-9f10-2b3c4d5e6f70';

/** One chat per pair of users, whatever node or order creates it: concurrent creations meet on one stream. */
export const chatIdFor = (a: string, b: string): string => uuidv5(a < b ? `chat:${a}:${b}` : `chat:${b}:${a}`, NAMESPACE);
