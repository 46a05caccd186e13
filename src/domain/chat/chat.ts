import type { Decider } from '../shared/decider.js';
import type { ChatCommand } from './commands.js';
import { decideChat } from './decide.js';
import { chatEvents, type ChatEvent } from './events.js';
import { evolveChat } from './evolve.js';
import { chatStateSize, initialChatState, type ChatState } from './state.js';

export const chatDecider: Decider<ChatCommand, ChatState, ChatEvent> = {
  events: chatEvents,
  initialState: initialChatState,
  decide: decideChat,
  evolve: evolveChat,
  sizeOf: chatStateSize,
};

export const chatStream = (chatId: string): string => `chat-${chatId}`;
