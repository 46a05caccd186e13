import type { Feature } from '../shared/feature.js';
import { messages } from './messages.js';
import { room } from './room.js';

/** Chats and messages: `PUT /api/chats/{username}` (open-chat.ts), `new_message`, `room_created`, `join_chat`. */
export const chat = {
  actions: { ...messages.actions, ...room.actions },
  projections: messages.projections,
  frames: { ...messages.frames, ...room.frames },
  describe: { ...messages.describe, ...room.describe },
} satisfies Feature;
