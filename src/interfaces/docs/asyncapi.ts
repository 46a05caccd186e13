import { actionDataCodecs, type ActionName } from '../ws/action-codecs.js';
import { MAX_FRAME_BYTES } from '../ws/connection-context.js';
import { Ref } from '../ws/primitives.js';
import { schemaOf } from './codec-schema.js';
import { frameSchema, SERVER_FRAMES } from './frame-schemas.js';
import { str, type JsonSchema, type JsonValue } from './json-schema.js';
import { CLOSE_CODES, ERROR_CODES } from './wire-codes.js';

const ACTION_SUMMARIES: Readonly<Record<ActionName, string>> = {
  new_message: 'Send a message to a chat I am a member of (`client_msg_id`, a uuid, will be accepted and echoed: re-sending one stores nothing new)',
  like_message: 'Like a message of the other member',
  unlike_message: 'Unlike a message of the other member',
  read_message: 'As the recipient: this message and every older one from the same sender are read',
  game_invite: 'Invite a user to a game (options all optional, unknown keys are BAD_DATA; `client_id` is my tab’s id)',
  reply_game_invite: 'Accept or decline the pending invitation from `username`',
  game_accepted: 'Shorthand for reply_game_invite with accept: true',
  game_declined: 'Shorthand for reply_game_invite with accept: false',
  add_new_friend: 'Announce a friendship (`sender_id` must be my own id); refused (`blocked`) when either user blocked the other',
  new_tournament: 'Announce a tournament to every other user (`organizer_id` must be my own id), except users who blocked me or whom I blocked',
  read_notification: 'Mark one of my notifications read',
  notification: 'An ephemeral notification to my own sockets only',
  user_online: 'Refresh activity and re-announce presence (`username` must be mine)',
  user_offline: 'Announce myself offline now, as at logout (`username` must be mine)',
  cancel_game_invite: 'Cancel my pending invitation to `username`',
  join_chat: 'Join a chat’s group on this socket (a member only)',
  room_created: 'Tell the other member’s tabs to join the chat; refused (`blocked`) when either member blocked the other',
};

const clientMessage = (action: ActionName): JsonSchema => ({
  name: action,
  title: action,
  summary: ACTION_SUMMARIES[action],
  payload: {
    type: 'object',
    properties: { action: { const: action }, ref: schemaOf(Ref), data: schemaOf(actionDataCodecs[action]) },
    required: ['action', 'data'],
  },
});

const actions = Object.keys(actionDataCodecs) as ActionName[];
const refs = (prefix: string, names: readonly string[]): Record<string, JsonValue> =>
  Object.fromEntries(names.map((n) => [`${prefix}.${n}`, { $ref: `#/components/messages/${prefix}.${n}` }]));

/** The AsyncAPI 3 description of `/ws/events`. Client actions' payloads are generated from the gateway's codecs. */
export const asyncApiDocument = (): JsonSchema => ({
  asyncapi: '3.0.0',
  info: {
    title: 'chat-events WebSocket API',
    version: '1.0.0',
    description:
      'One socket per browser tab at `/ws/events` (also `/ws/events/`). Frames are JSON text: client → server `{ "action", "data" }`; ' +
      'server → client the same plus `position` on frames from stored events. Frames are at most 64 KiB. ' +
      'Business refusals answer with an `error` frame and keep the socket; frames that do not decode close it with 3100. ' +
      'Any client frame may carry a top-level `ref` (a string of 1–64 characters; anything else is BAD_DATA): it is answered exactly once, by an `ack` once the action was taken (after this socket was sent the frames its stored events give it) or by the `error` carrying the same `ref`. ' +
      '`ready.limits` gives this socket’s flood-control figures. ' +
      'The upgrade is refused with HTTP 401 (no valid token), 403 (an `Origin` not in `ALLOWED_ORIGINS`), 400 (a `since` that is not a position of this log, a `presence` other than `frames` or `batched`). ' +
      'The server pings every `WS_PING_INTERVAL_MS` (25 s); a socket that has not answered within `WS_PONG_TIMEOUT_MS` (10 s) is terminated.',
  },
  servers: {
    local: {
      host: 'localhost:8080',
      protocol: 'ws',
      description: 'a development server (`npm start`); use wss behind TLS',
      security: [
        { $ref: '#/components/securitySchemes/bearer' },
        { $ref: '#/components/securitySchemes/cookie' },
        { $ref: '#/components/securitySchemes/query' },
      ],
    },
  },
  defaultContentType: 'application/json',
  channels: {
    events: {
      address: '/ws/events',
      title: 'Events',
      description:
        'The socket joins `user_{id}`, `online_users` and `chat_{uuid}` of each of its chats; chats created later are joined without a reconnect. ' +
        'Presence (`PRESENCE_SCOPE`): `all` sends a user’s presence to `online_users`; `contacts` only to the users who share a chat or a friendship with them, neither having blocked the other.',
      messages: { ...refs('client', actions), ...refs('server', Object.keys(SERVER_FRAMES)) },
      bindings: {
        ws: {
          bindingVersion: '0.1.0',
          query: {
            type: 'object',
            properties: {
              token: str({
                description:
                  'the JWT, when neither `Authorization: Bearer` nor the `access_token` cookie carries it (browsers cannot set headers on a WebSocket)',
              }),
              since: str({ description: 'resume: every frame after this position (for my groups) is replayed first, with no gap and no duplicate' }),
              presence: str({
                enum: ['frames', 'batched'],
                description:
                  '`frames` (default): `user_online` / `user_offline` per change, with positions, replayed on resume. `batched`: one `presence_state` after `ready`, then at most one `presence_diff` per window instead (`PRESENCE_COALESCE_MS`, 1.5 s; longer in a group of more batched sockets than `PRESENCE_FANOUT_PER_SECOND` × the window); no positions, not replayed (a resume gets a fresh `presence_state`)',
              }),
            },
          },
        },
      },
    },
  },
  operations: {
    ...Object.fromEntries(
      actions.map((a) => [
        `receive_${a}`,
        {
          action: 'receive',
          channel: { $ref: '#/channels/events' },
          summary: ACTION_SUMMARIES[a],
          messages: [{ $ref: `#/channels/events/messages/client.${a}` }],
        },
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(SERVER_FRAMES).map(([name, doc]) => [
        `send_${name}`,
        { action: 'send', channel: { $ref: '#/channels/events' }, summary: doc.summary, messages: [{ $ref: `#/channels/events/messages/server.${name}` }] },
      ]),
    ),
  },
  components: {
    messages: {
      ...Object.fromEntries(actions.map((a) => [`client.${a}`, clientMessage(a)])),
      ...Object.fromEntries(
        Object.entries(SERVER_FRAMES).map(([name, doc]) => [`server.${name}`, { name, title: name, summary: doc.summary, payload: frameSchema(name, doc) }]),
      ),
    },
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      cookie: { type: 'httpApiKey', in: 'cookie', name: 'access_token' },
      query: { type: 'httpApiKey', in: 'query', name: 'token' },
    },
  },
  'x-close-codes': CLOSE_CODES.map((c) => ({ code: c.code, name: c.name, meaning: c.meaning })),
  'x-error-codes': ERROR_CODES,
  'x-limits': {
    frameBytes: MAX_FRAME_BYTES,
    contentCharacters: '1–256 after trimming',
    ratePerSecond: 'WS_RATE_PER_SECOND (20) with bursts of WS_RATE_BURST (40); WS_RATE_WARNINGS (3) rate_limited errors, then close 1008',
    invitations: 'INVITE_RATE_MAX (10) per INVITE_RATE_WINDOW_MS (60 s) per sender',
  },
});
