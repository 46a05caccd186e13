import type { MessageFacts } from '../../src/domain/chat/commands.js';
import type { ChatEvent } from '../../src/domain/chat/events.js';

/**
 * What the read models know of a message once they projected `known` (the handler looks it up
 * before the command): its chat, sender, seq, and whether its last toggle there was a like.
 */
export const lookup = (known: readonly ChatEvent[], messageId: string): MessageFacts | undefined => {
  const sent = known.find((e) => e.type === 'MessageSent' && e.data.messageId === messageId);
  if (sent?.type !== 'MessageSent') return undefined;
  const toggles = known.filter((e) => (e.type === 'MessageLiked' || e.type === 'MessageUnliked') && e.data.messageId === messageId);
  const { chatId, senderId, seq } = sent.data;
  return { chatId, senderId, seq, liked: toggles[toggles.length - 1]?.type === 'MessageLiked' };
};
