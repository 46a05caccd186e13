import { schemaOf } from '../../application/wire/codec-schema.js';
import { arrayOf, bool, int, object, str, type JsonSchema } from '../../application/wire/json-schema.js';
import { chatMessageFields, erasedFlag, GameInviteData, GameOptionsData, NewFriendData, NewTournamentData } from '../../application/wire/server-frames.js';
import { SHOWN_USERNAME_PATTERN, USERNAME_PATTERN } from '../../domain/user/identity.js';

/** Shapes shared by REST answers and WebSocket frames (PROTOCOL.md's payloads). */
export const uuid = (description = 'a uuid'): JsonSchema => str({ format: 'uuid', description });
export const isoDate = (description = 'ISO 8601 UTC'): JsonSchema => str({ format: 'date-time', description });
export const username = (description = 'a username'): JsonSchema => str({ pattern: USERNAME_PATTERN, description });
/** Another user's username as shown: empty once that user's username was taken by another user (released). */
export const shownUsername = (description = 'a username'): JsonSchema =>
  str({
    pattern: SHOWN_USERNAME_PATTERN,
    description: `${description}; empty when that user gave its username up to another user; \`erased-\` and 24 hex digits once that user was erased`,
  });
export const position = (description = 'a position in the event log: an opaque string, e.g. "123", "123-456" or "123.1"'): JsonSchema =>
  str({ minLength: 1, description });

export const gameOptions: JsonSchema = schemaOf(GameOptionsData);

/** `erased: true`, present only once the user the object is about (a message's sender, a chat's other member) was erased. */
export const erased: JsonSchema = schemaOf(erasedFlag);

/** A message's fields, as frames carry them (REST's `ChatMessage`); `erased` is optional. */
export const chatMessageProps: Readonly<Record<string, JsonSchema>> = {
  ...Object.fromEntries(Object.entries(chatMessageFields).map(([k, c]) => [k, schemaOf(c)])),
  erased,
};

export const chatMessage: JsonSchema = object(
  chatMessageProps,
  ['erased'],
  'A message of a chat (`content` empty and `erased` true once its sender was erased)',
);

export const peerProps = {
  chat_id: uuid('the chat id'),
  username: shownUsername('the other member'),
  nickname: str(),
  avatar: str({ description: 'a URL, or empty' }),
  is_online: bool(),
  is_blocked_user: bool('I blocked them'),
  is_blocked_by_user: bool('they blocked me'),
  erased,
} as const;

/** Notifications' data are the frames' payloads of the same actions. */
export const gameInviteData: JsonSchema = schemaOf(GameInviteData);
export const newFriendData: JsonSchema = schemaOf(NewFriendData);
export const newTournamentData: JsonSchema = schemaOf(NewTournamentData);

const notificationOf = (action: string, data: JsonSchema): JsonSchema =>
  object({ id: uuid('the notification id'), action: { const: action }, data, is_read: bool(), date: isoDate() });

export const notification: JsonSchema = {
  description: 'A stored notification; `data` is the payload of the WebSocket frame of the same action',
  oneOf: [notificationOf('game_invite', gameInviteData), notificationOf('new_friend', newFriendData), notificationOf('new_tournament', newTournamentData)],
};

export const chat: JsonSchema = object(
  { ...peerProps, messages: { ...arrayOf(chatMessage), maxItems: 30, description: 'the last 30 messages, newest first' } },
  ['erased'],
  'A chat seen by one member (`erased` once the other member was: their `username` is then an alias that still opens the chat)',
);
export const chatPreview: JsonSchema = object(
  { ...peerProps, unread_messages_count: int(0), last_message: { oneOf: [chatMessage, { type: 'null' }] } },
  ['erased'],
  'A line of my chat list (`erased` once the other member was: their `username` is then an alias that still opens the chat)',
);
export const blockedUser: JsonSchema = object({ username: shownUsername(), nickname: str(), avatar: str(), erased }, ['erased'], 'A user I blocked');
