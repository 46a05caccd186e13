import type { MessageFacts } from '../../domain/chat/commands.js';
import type { CommandDeps } from '../shared/deps.js';

/**
 * A command's target message, from the read models once they caught up with the log's head: a
 * message stored before the command is always found. (The chat's state keeps no per-message
 * data, so that it stays bounded however long the chat.)
 */
export const messageFacts = async (deps: CommandDeps, messageId: string): Promise<MessageFacts | undefined> => (await deps.lookups()).messageRecord(messageId);
