import { chatStream } from '../../domain/chat/chat.js';
import { isMember, otherMember } from '../../domain/chat/state.js';
import type { CommandDeps } from '../shared/deps.js';

/** The other member of `chatId` when `userId` is one, from the chat's own stream (not a lagging read model). */
export const peerOf = async (deps: CommandDeps, chatId: string, userId: string): Promise<string | undefined> => {
  const { state } = await deps.aggregates.chat.load(chatStream(chatId));
  return state.exists && isMember(state, userId) ? otherMember(state.members, userId) : undefined;
};
