import { chatStream } from '../../domain/chat/chat.js';
import { projectEvent } from '../features.js';
import type { Stored } from '../log/stored.js';
import type { Lookups } from '../ports/read-model.js';

const CHAT_PREFIX = chatStream('');

/**
 * Whether `callerId` may have an inclusion proof of this event: an event of one of their chats
 * (its messages, as the chat's history shows them), or an event that gave them a stored
 * notification (the projection's own rule, so the two cannot drift apart). Anything else is
 * answered as if it did not exist.
 */
export const mayProve = async (stored: Stored, callerId: string, lookups: Pick<Lookups, 'chat' | 'hasNotification'>): Promise<boolean> => {
  const stream = stored.recorded.streamId;
  if (stream.startsWith(CHAT_PREFIX)) return (await lookups.chat(stream.slice(CHAT_PREFIX.length)))?.members.includes(callerId) ?? false;
  for (const change of projectEvent(stored.event, { eventId: stored.recorded.id, position: stored.recorded.position, erased: stored.erased })) {
    if (change.kind === 'AddNotification' && change.userId === callerId) return true;
    if (change.kind === 'AddNotificationForAllUsers' && (await lookups.hasNotification(callerId, change.notificationId))) return true;
  }
  return false;
};
