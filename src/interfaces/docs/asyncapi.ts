import { ACTION_SUMMARIES, actionDataCodecs, type ActionName } from '../../application/wire/client-actions.js';
import { schemaOf } from '../../application/wire/codec-schema.js';
import { frameSchema, frameSummary, SERVER_FRAME_ACTIONS } from './frame-schemas.js';
import { str, type JsonSchema, type JsonValue } from '../../application/wire/json-schema.js';
import { REFUSALS } from '../../domain/shared/decision.js';
import { Ref } from '../../application/wire/primitives.js';
import { MAX_FRAME_BYTES } from '../ws/connection-context.js';
import { CLOSE_CODES } from './wire-codes.js';

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
      messages: { ...refs('client', actions), ...refs('server', SERVER_FRAME_ACTIONS) },
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
      SERVER_FRAME_ACTIONS.map((name) => [
        `send_${name}`,
        {
          action: 'send',
          channel: { $ref: '#/channels/events' },
          summary: frameSummary(name),
          messages: [{ $ref: `#/channels/events/messages/server.${name}` }],
        },
      ]),
    ),
  },
  components: {
    messages: {
      ...Object.fromEntries(actions.map((a) => [`client.${a}`, clientMessage(a)])),
      ...Object.fromEntries(
        SERVER_FRAME_ACTIONS.map((name) => [`server.${name}`, { name, title: name, summary: frameSummary(name), payload: frameSchema(name) }]),
      ),
    },
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      cookie: { type: 'httpApiKey', in: 'cookie', name: 'access_token' },
      query: { type: 'httpApiKey', in: 'query', name: 'token' },
    },
  },
  'x-close-codes': CLOSE_CODES.map((c) => ({ code: c.code, name: c.name, meaning: c.meaning })),
  'x-error-codes': REFUSALS,
  'x-limits': {
    frameBytes: MAX_FRAME_BYTES,
    contentCharacters: '1–256 after trimming',
    ratePerSecond: 'WS_RATE_PER_SECOND (20) with bursts of WS_RATE_BURST (40); WS_RATE_WARNINGS (3) rate_limited errors, then close 1008',
    invitations: 'INVITE_RATE_MAX (10) per INVITE_RATE_WINDOW_MS (60 s) per sender',
  },
});
