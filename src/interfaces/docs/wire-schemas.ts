import { arrayOf, bool, int, object, str, type JsonSchema } from './json-schema.js';

/** Shapes shared by REST answers and WebSocket frames (PROTOCOL.md's payloads). */
export const uuid = (description = 'a uuid'): JsonSchema => str({ format: 'uuid', description });
export const isoDate = (description = 'ISO 8601 UTC'): JsonSchema => str({ format: 'date-time', description });
export const username = (description = 'a username'): JsonSchema => str({ pattern: '^[A-Za-z0-9_.-]{1,50}$', description });
/** Another user's username as shown: empty once that user's username was taken by another user (released). */
export const shownUsername = (description = 'a username'): JsonSchema =>
  str({ pattern: '^[A-Za-z0-9_.-]{0,50}$', description: `${description}; empty when that user gave its username up to another user` });
export const position = (description = 'a position in the event log: an opaque string, e.g. "123", "123-456" or "123.1"'): JsonSchema =>
  str({ minLength: 1, description });

/** A game's options as stored and sent: every field present (defaults applied). */
export const gameOptions: JsonSchema = object(
  {
    game_speed: str({ enum: ['slow', 'medium', 'fast'] }),
    ranked: bool(),
    cool_mode: bool(),
    score_to_win: int(3, 20),
    time_limit: int(1, 5),
  },
  [],
  'Pong game options, every field present (defaults: medium, unranked, no cool mode, 5 points, 3 minutes)',
);

export const chatMessageProps = {
  id: uuid('the message id'),
  content: str({ minLength: 1, description: '1–256 characters, trimmed' }),
  date: isoDate('when it was stored'),
  sender: shownUsername("the sender's username"),
  is_read: bool('read by its recipient'),
  is_liked: bool('liked by its recipient'),
} as const;

export const chatMessage: JsonSchema = object(chatMessageProps, [], 'A message of a chat');

export const peerProps = {
  chat_id: uuid('the chat id'),
  username: shownUsername('the other member'),
  nickname: str(),
  avatar: str({ description: 'a URL, or empty' }),
  is_online: bool(),
  is_blocked_user: bool('I blocked them'),
  is_blocked_by_user: bool('they blocked me'),
} as const;

export const gameInviteData: JsonSchema = object({
  id: uuid('the invitation id'),
  username: shownUsername('the inviter'),
  nickname: str(),
  avatar: str(),
  options: gameOptions,
});
export const newFriendData: JsonSchema = object({ username: shownUsername('the user who added me'), nickname: str() });
export const newTournamentData: JsonSchema = object({
  tournament_id: uuid(),
  tournament_name: str({ minLength: 1, maxLength: 100 }),
  creator: shownUsername('the organizer'),
});

const notificationOf = (action: string, data: JsonSchema): JsonSchema =>
  object({ id: uuid('the notification id'), action: { const: action }, data, is_read: bool(), date: isoDate() });

export const notification: JsonSchema = {
  description: 'A stored notification; `data` is the payload of the WebSocket frame of the same action',
  oneOf: [notificationOf('game_invite', gameInviteData), notificationOf('new_friend', newFriendData), notificationOf('new_tournament', newTournamentData)],
};

export const chat: JsonSchema = object(
  { ...peerProps, messages: { ...arrayOf(chatMessage), maxItems: 30, description: 'the last 30 messages, newest first' } },
  [],
  'A chat seen by one member',
);
export const chatPreview: JsonSchema = object(
  { ...peerProps, unread_messages_count: int(0), last_message: { oneOf: [chatMessage, { type: 'null' }] } },
  [],
  'A line of my chat list',
);
export const blockedUser: JsonSchema = object({ username: shownUsername(), nickname: str(), avatar: str() }, [], 'A user I blocked');
