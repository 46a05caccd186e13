import { CORS_METHODS } from '../http/cors-policy.js';
import { int, object, page, ref, str, type JsonSchema, type JsonValue } from '../../application/wire/json-schema.js';
import {
  blockedUser,
  chat,
  chatMessage,
  chatMessageProps,
  chatPreview,
  erased,
  isoDate,
  notification,
  position,
  shownUsername,
  username,
} from './wire-schemas.js';

const ERRORS = {
  400: 'Malformed parameters or body',
  401: 'No valid token (bearer or `access_token` cookie)',
  403: 'Refused: one side blocked the other, or a cookie-authenticated write from an origin not in `ALLOWED_ORIGINS`',
  404: 'No such user, chat or path',
  422: 'A business rule refused the request (e.g. a chat or block with oneself)',
  429: 'Rate limited',
  503: 'The read side has not caught up (within `READ_YOUR_WRITES_TIMEOUT_MS`) or a store is unavailable: retry',
} as const;
type ErrorStatus = keyof typeof ERRORS;

const json = (schema: JsonSchema, description: string): JsonSchema => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: ErrorStatus[]): Record<string, JsonValue> =>
  Object.fromEntries(statuses.map((s) => [String(s), ref(String(s), '#/components/responses/')]));

const usernameParam: JsonSchema = { name: 'username', in: 'path', required: true, description: 'the other user', schema: username() };
const limit: JsonSchema = { name: 'limit', in: 'query', required: false, schema: { ...int(1, 100), default: 10 } };
const offset: JsonSchema = { name: 'offset', in: 'query', required: false, schema: { ...int(0, 1_000_000_000), default: 0 } };
const paging = [limit, offset];

const msg = (description: string): JsonSchema => json(ref('Msg'), description);

const op = (
  summary: string,
  o: { tags: string[]; parameters?: JsonSchema[]; responses: Record<string, JsonValue>; description?: string; security?: JsonValue },
): JsonSchema => ({
  summary,
  ...(o.description === undefined ? {} : { description: o.description }),
  tags: o.tags,
  ...(o.parameters === undefined ? {} : { parameters: o.parameters }),
  ...(o.security === undefined ? {} : { security: o.security }),
  responses: o.responses,
});

const open = { security: [] as JsonValue[] };
const text = (description: string): JsonSchema => ({ description, content: { 'text/html': { schema: str() } } });
const plain = (description: string): JsonSchema => ({ description, content: { 'text/plain': { schema: str() } } });

const base64Hashes = { type: 'array', items: str({ description: 'a SHA-256 hash, base64' }) } as const;
const treeSize = (name: string, description: string): JsonSchema => ({ name, in: 'query', required: true, description, schema: int(0) });
const ledgerLeaf = object(
  {
    v: { const: 1 },
    id: str({ description: 'the event id' }),
    stream: str(),
    revision: int(0),
    type: str(),
    metadata: { type: 'object', description: 'as stored' },
    data_hash: str({ description: 'lowercase hex SHA-256 of the RFC 8785 canonical JSON of the event’s data as stored' }),
  },
  [],
  'The leaf: the UTF-8 of its RFC 8785 canonical JSON is what the tree hashes (SHA-256(0x00 ‖ leaf))',
);

const historyEntry = object(
  {
    id: str({ description: 'the event’s id (its ledger proof: `GET /api/ledger/proof?id=`)' }),
    revision: int(0),
    position: position(),
    type: str({ description: 'the event type, e.g. MessageSent' }),
    actor: { type: ['string', 'null'], description: "the username whose command caused it (null for the system's)" },
    time: isoDate(),
    data: {
      type: 'object',
      description:
        'the event as stored, its personal data (message content, usernames, nicknames, avatars) opened: empty, or a username `erased-…`, once its user was erased',
    },
    erased,
  },
  ['erased'],
  'One event of a chat’s stream (`erased` when personal data of it was erased)',
);
const chatAt = object(
  {
    chat_id: str({ format: 'uuid' }),
    at: str({ description: 'the point asked for: an ISO time or a position' }),
    position: { oneOf: [position(), { type: 'null' }], description: 'the last event included' },
    members: { type: 'array', items: shownUsername() },
    messages: { type: 'array', items: object(chatMessageProps, ['erased']), description: 'oldest first' },
  },
  [],
  'The chat as it was at a point in time',
);

/** The OpenAPI 3.1 description of every REST endpoint (PROTOCOL.md § REST). Each path is also served with a trailing slash. */
export const openApiDocument = (): JsonSchema => ({
  openapi: '3.1.0',
  info: {
    title: 'chat-events REST API',
    version: '1.0.0',
    description:
      'Chats, messages, notifications and blocks. Every path is also served with a trailing slash. ' +
      `Browsers on an origin of \`ALLOWED_ORIGINS\` get CORS (credentials, \`Authorization\`, \`Content-Type\`; ${CORS_METHODS.join(', ')}). ` +
      'The WebSocket side is described by the AsyncAPI document at /api/asyncapi.json; a guide is in docs/GUIDE.md.',
  },
  servers: [{ url: '/', description: 'this server' }],
  security: [{ bearer: [] }, { cookie: [] }],
  tags: [
    { name: 'chats', description: 'Conversations between two users' },
    { name: 'notifications', description: 'Stored notifications' },
    { name: 'blocks', description: 'Users I blocked' },
    { name: 'audit', description: 'A chat’s event history' },
    { name: 'ledger', description: 'Tamper evidence: signed checkpoints of an RFC 6962 Merkle tree over the log, and proofs (docs/LEDGER.md)' },
    { name: 'operations', description: 'Health and the contract itself' },
  ],
  paths: {
    '/api/chats/': {
      get: op('My chats, most recent activity first', {
        tags: ['chats'],
        parameters: paging,
        responses: { 200: json(page(ref('ChatPreview')), 'A page of chats'), ...errors(400, 401, 503) },
      }),
    },
    '/api/chats/{username}': {
      put: op('Open (create or get) my chat with a user', {
        tags: ['chats'],
        parameters: [usernameParam],
        responses: { 200: json(ref('Chat'), 'The chat existed'), 201: json(ref('Chat'), 'The chat was created'), ...errors(401, 403, 404, 422, 429, 503) },
      }),
    },
    '/api/chats/{username}/messages': {
      get: op('Messages of my chat with a user, newest first', {
        tags: ['chats'],
        parameters: [usernameParam, ...paging],
        responses: { 200: json(page(ref('ChatMessage')), 'A page of messages'), ...errors(400, 401, 404, 503) },
      }),
    },
    '/api/chats/{username}/history': {
      get: op('The audit trail of my chat with a user', {
        tags: ['audit'],
        description: 'Without `at`: the chat stream’s events in order, paginated by revision. With `at`: the chat folded up to that time or position.',
        parameters: [usernameParam, ...paging, { name: 'at', in: 'query', required: false, description: 'an ISO 8601 time or a log position', schema: str() }],
        responses: {
          200: json({ oneOf: [page(historyEntry), chatAt] }, 'The events, or the chat at `at`'),
          ...errors(400, 401, 404, 503),
        },
      }),
    },
    '/api/notifications/': {
      get: op('My notifications, newest first', {
        tags: ['notifications'],
        parameters: [
          {
            name: 'is_read',
            in: 'query',
            required: false,
            description: '`unread`/`false`, `read`/`true` or `all`',
            schema: { type: 'string', enum: ['all', 'unread', 'false', 'read', 'true'], default: 'all' },
          },
          ...paging,
        ],
        responses: { 200: json(page(ref('Notification')), 'A page of notifications'), ...errors(400, 401, 503) },
      }),
    },
    '/api/notifications/mark_all_as_read': {
      post: op('Mark all my notifications read: every tab of mine gets `notification_read` naming them (none when nothing was unread)', {
        tags: ['notifications'],
        responses: { 200: msg('Done'), ...errors(400, 401, 403, 429, 503) },
      }),
    },
    '/api/blocks/': {
      get: op('The users I blocked', {
        tags: ['blocks'],
        parameters: paging,
        responses: { 200: json(page(ref('BlockedUser')), 'A page of users'), ...errors(400, 401, 503) },
      }),
    },
    '/api/blocks/{username}': {
      put: op('Block a user (idempotent); a change sends `block_update` to both users, each from its own side', {
        tags: ['blocks'],
        parameters: [usernameParam],
        responses: { 200: msg('Blocked'), ...errors(401, 403, 404, 422, 429, 503) },
      }),
      delete: op('Unblock a user (idempotent); a change sends `block_update` to both users, each from its own side', {
        tags: ['blocks'],
        parameters: [usernameParam],
        responses: { 200: msg('Unblocked'), ...errors(401, 403, 404, 422, 429, 503) },
      }),
    },
    '/api/ledger/checkpoint': {
      get: op('The latest signed checkpoint', {
        tags: ['ledger'],
        ...open,
        description:
          'A C2SP tlog-checkpoint (origin, tree size, base64 root hash) in a C2SP signed note, signed with Ed25519 by the key of `GET /api/ledger/key`. Keep one: a later log that does not extend it is caught (`npm run ledger -- verify --checkpoint FILE`).',
        responses: { 200: plain('The signed note'), 503: ref('503', '#/components/responses/') },
      }),
    },
    '/api/ledger/key': {
      get: op('The verifier key of the checkpoints', {
        tags: ['ledger'],
        ...open,
        responses: { 200: plain('`<name>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>`, one line') },
      }),
    },
    '/api/ledger/consistency': {
      get: op('A consistency proof between two tree sizes', {
        tags: ['ledger'],
        ...open,
        description: 'RFC 9162 §2.1.4: the tree of `from` leaves is a prefix of the tree of `to` leaves. Empty when `from` is 0 or equal to `to`.',
        parameters: [treeSize('from', 'the smaller tree size'), treeSize('to', 'the larger tree size, at most the latest checkpoint’s')],
        responses: {
          200: json(object({ from: int(0), to: int(0), hashes: base64Hashes }), 'The proof'),
          ...errors(400),
        },
      }),
    },
    '/api/ledger/proof': {
      get: op('An inclusion proof of an event I may see', {
        tags: ['ledger'],
        description:
          'For an event of one of my chats (its id is in the chat’s history) or one that gave me a notification; any other event is 404. The proof leads from the leaf to the root of `checkpoint` (RFC 9162 §2.1.3); the leaf is the event as the log holds it now.',
        parameters: [{ name: 'id', in: 'query', required: true, description: 'the event id', schema: str() }],
        responses: {
          200: json(
            object({
              index: int(0),
              size: int(1),
              leaf: ledgerLeaf,
              hashes: base64Hashes,
              checkpoint: str({ description: 'the signed checkpoint of `size` leaves' }),
            }),
            'The proof',
          ),
          ...errors(400, 401, 404, 503),
        },
      }),
    },
    '/healthz': {
      get: op('Liveness: the process is up', { tags: ['operations'], ...open, responses: { 200: json(object({ status: { const: 'ok' } }), 'Up') } }),
    },
    '/readyz': {
      get: op('Readiness: the log can take an append (a probe commit, and room on its disk), stores answer, read models caught up (within a second)', {
        tags: ['operations'],
        ...open,
        responses: { 200: json(object({ status: { const: 'ready' } }), 'Ready'), 503: ref('503', '#/components/responses/') },
      }),
    },
    '/api/openapi.json': {
      get: op('This document', { tags: ['operations'], ...open, responses: { 200: json({ type: 'object', required: ['openapi'] }, 'OpenAPI 3.1') } }),
    },
    '/api/asyncapi.json': {
      get: op('The WebSocket contract', { tags: ['operations'], ...open, responses: { 200: json({ type: 'object', required: ['asyncapi'] }, 'AsyncAPI 3') } }),
    },
    '/metrics': {
      get: op('Prometheus metrics (text format); with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`', {
        tags: ['operations'],
        ...open,
        responses: { 200: text('Prometheus text exposition format'), 401: ref('401', '#/components/responses/') },
      }),
    },
    '/docs': {
      get: op('A readable rendering of both documents', { tags: ['operations'], ...open, responses: { 200: text('HTML') } }),
    },
    '/demo': {
      get: op('The demo chat app, built on the client SDK (its script and stylesheet are under /demo/)', {
        tags: ['demo'],
        ...open,
        responses: { 200: text('HTML') },
      }),
    },
    '/demo/token': {
      post: {
        ...op('A token for a username, for the demo: only in development, with the generated secret, for clients on this machine', {
          tags: ['demo'],
          ...open,
          description:
            'Answers only when neither `JWT_SECRET` nor `JWT_PUBLIC_KEY` is configured and `NODE_ENV` is not `production` (the service generated a development secret); 404 otherwise. Only clients on the loopback interface that were not forwarded by a proxy (no `Forwarded`, `X-Forwarded-For` or `X-Real-IP` header) get a token; others get 403. The token lasts 12 hours; its `sub` is `demo-<username>`.',
          responses: {
            200: json(object({ token: str({ description: 'an HS256 JWT' }) }), 'The token'),
            400: msg('The username is not 1 to 50 letters, digits, `_`, `-` or `.`'),
            403: msg('The client is not on this machine, or came through a proxy'),
            404: msg('A real signing key is configured, or NODE_ENV=production: no token is minted'),
          },
        }),
        requestBody: { required: true, content: { 'application/json': { schema: object({ username: username() }) } } },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'HS256 or RS256 (as configured) with `sub`, `username`, `exp`, optional `nickname`, `avatar`',
      },
      cookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'access_token',
        description: 'The same JWT in a cookie. PUT, POST and DELETE with it are refused (403) unless the `Origin` is in `ALLOWED_ORIGINS`.',
      },
    },
    schemas: {
      Msg: object({ msg: str({ description: 'human readable' }) }, [], 'An error, or the confirmation of a write'),
      ChatMessage: chatMessage,
      Chat: chat,
      ChatPreview: chatPreview,
      Notification: notification,
      BlockedUser: blockedUser,
    },
    responses: Object.fromEntries(
      Object.entries(ERRORS).map(([status, description]) => [
        status,
        {
          ...msg(description),
          ...(status === '503' ? { headers: { 'Retry-After': { description: 'seconds to wait before retrying', schema: int(0) } } } : {}),
        },
      ]),
    ),
  },
});
