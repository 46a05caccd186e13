import * as t from 'io-ts';
import { REFUSALS } from '../../domain/shared/decision.js';
import { SHOWN_USERNAME_PATTERN } from '../../domain/user/identity.js';
import { actionDataCodecs } from './client-actions.js';
import { described, schemaOf, withSchema } from './codec-schema.js';
import type { JsonSchema } from './json-schema.js';
import { IntInRange, Username, Uuid } from './primitives.js';

/**
 * Every server → client frame, declared once: its summary and the codec of its `data`. The
 * server builds frames of this union, the SDK imports its type, and the AsyncAPI document is
 * generated from the codecs (their schemas are closed: a field not declared here is not sent).
 */

/** A string codec of its own, with its schema (a schema declared on `t.string` itself would be every string's). */
const stringWith = (schema: JsonSchema) =>
  withSchema(new t.Type<string, string, unknown>('string', (u): u is string => typeof u === 'string', t.string.validate, t.identity), {
    type: 'string',
    ...schema,
  });

const text = (description?: string) => (description === undefined ? t.string : described(t.string, description));
const shown = (description = 'a username') =>
  withSchema(new t.Type<string, string, unknown>('shown username', (u): u is string => typeof u === 'string', t.string.validate, t.identity), {
    type: 'string',
    pattern: SHOWN_USERNAME_PATTERN,
    description: `${description}; empty when that user gave its username up to another user; \`erased-\` and 24 hex digits once that user was erased`,
  });
const uuid = (description: string) => described(Uuid, description);
const position = (description = 'a position in the event log: an opaque string, e.g. "123", "123-456" or "123.1"') => stringWith({ minLength: 1, description });
const isoDate = (description: string) => stringWith({ format: 'date-time', description });
const count = IntInRange(0, Number.MAX_SAFE_INTEGER);
const usernames = (description: string) => withSchema(t.readonlyArray(Username), { type: 'array', items: schemaOf(Username), uniqueItems: true, description });

/** A closed object: a field not declared is not sent. */
const closed = <C extends t.Mixed>(codec: C) => withSchema(t.readonly(codec), { ...schemaOf(codec), additionalProperties: false });
/** A closed object of `required` fields. */
const data = <R extends t.Props>(required: R) => closed(t.type(required));
/** A closed object of `required` fields and `optional` ones that may be absent. */
const dataWith = <R extends t.Props, O extends t.Props>(required: R, optional: O) => closed(t.intersection([t.type(required), t.partial(optional)]));

/** A game's options as stored and sent: every field present (defaults applied). */
export const GameOptionsData = described(
  data({
    game_speed: t.keyof({ slow: null, medium: null, fast: null }),
    ranked: t.boolean,
    cool_mode: t.boolean,
    score_to_win: IntInRange(3, 20),
    time_limit: IntInRange(1, 5),
  }),
  'Pong game options, every field present (defaults: medium, unranked, no cool mode, 5 points, 3 minutes)',
);

/** Marks data whose user was erased (their personal fields then read as empty, a username as `erased-…`): present only then. */
export const erasedFlag = described(t.literal(true), 'present (true) only when the user this is about was erased: their personal data reads as empty');

/** A message as REST and frames show it. */
export const chatMessageFields = {
  id: uuid('the message id'),
  content: stringWith({ description: '1–256 characters, trimmed; empty once its sender was erased (then `erased` is true)' }),
  date: isoDate('when it was stored'),
  sender: shown("the sender's username"),
  is_read: described(t.boolean, 'read by its recipient'),
  is_liked: described(t.boolean, 'liked by its recipient'),
};

export const GameInviteData = dataWith(
  {
    id: uuid('the invitation id'),
    username: shown('the inviter'),
    nickname: t.string,
    avatar: t.string,
    options: GameOptionsData,
  },
  { erased: erasedFlag },
);
export const NewFriendData = dataWith({ username: shown('the user who added me'), nickname: t.string }, { erased: erasedFlag });
export const NewTournamentData = dataWith(
  {
    tournament_id: Uuid,
    tournament_name: stringWith({ minLength: 1, maxLength: 100 }),
    creator: shown('the organizer'),
  },
  { erased: erasedFlag },
);

interface FrameFlags {
  /** Not an event's delta (batched presence, answers): never carries a `position`. */
  readonly positionless?: true;
  /** The answer to one client frame: carries its top-level `ref` always (`ack`), or when it had one (`error`). */
  readonly ref?: 'required' | 'optional';
}

export interface FrameSpec<C extends t.Mixed> extends FrameFlags {
  readonly summary: string;
  readonly data: C;
}

const frame = <C extends t.Mixed, F extends FrameFlags = Record<never, never>>(summary: string, codec: C, flags?: F): FrameSpec<C> & F => ({
  summary,
  data: codec,
  ...(flags ?? ({} as F)),
});

export const serverFrames = {
  ready: frame(
    'The socket’s first frame: set-up done (known to every node, in all its groups); `position` is where a resume may start',
    data({
      position: position(),
      username: described(Username, 'this socket’s user'),
      limits: described(
        data({
          rate_per_second: described(count, 'frames per second the socket may send, sustained (`WS_RATE_PER_SECOND`)'),
          burst: described(count, 'frames it may send at once (`WS_RATE_BURST`)'),
          max_frame_bytes: described(count, 'the largest frame it may send, in bytes (larger closes with 1009)'),
        }),
        'this socket’s flood-control figures, so that a client can pace itself exactly',
      ),
    }),
  ),
  resync_required: frame(
    'Instead of a replay longer than `WS_RESUME_MAX_FRAMES`: reload state over REST; live frames follow from `position`',
    data({ position: position() }),
  ),
  new_message: frame(
    'A message stored in one of my chats (also the sender’s acknowledgement)',
    dataWith(
      { chat_id: Uuid, ...chatMessageFields, timestamp: text('the client’s timestamp, echoed') },
      { client_msg_id: uuid('the client’s id for the message, echoed when it sent one'), erased: erasedFlag },
    ),
  ),
  chat_like_update: frame('A message was liked or unliked', data({ chat_id: Uuid, id: uuid('the message'), is_liked: t.boolean })),
  room_created: frame('A member announced the chat: join it', data({ chat_id: Uuid })),
  join_chat: frame('This socket joined the chat’s group (a chat created with me, or the answer to `join_chat`)', data({ chat_id: Uuid })),
  game_invite: frame('I am invited to a game', GameInviteData),
  game_accepted: frame('An invitation was accepted; the other player', data({ game_id: Uuid, username: shown(), nickname: t.string, avatar: t.string })),
  game_found: frame('The game starts (after game_accepted, to both players)', data({ game_id: Uuid, opponent: shown(), options: GameOptionsData })),
  game_declined: frame('My invitation was declined', data({ username: shown(), nickname: t.string })),
  game_invite_canceled: frame(
    'An invitation was canceled, expired, or its inviter left',
    data({ username: shown('the other side'), nickname: t.string, message: t.string, client_id: uuid('the inviting tab’s id') }),
  ),
  user_online: frame(
    'A user’s connection count went 0 → 1 (to every socket, or with `PRESENCE_SCOPE=contacts` to their contacts’; not to `?presence=batched` sockets)',
    data({ username: shown() }),
  ),
  user_offline: frame(
    'A user’s connection count went 1 → 0, or the inactivity sweep took them offline (same audience as user_online)',
    data({ username: shown() }),
  ),
  presence_state: frame(
    '`?presence=batched` only, right after `ready` (also on a resume): the users online in my presence scope; no `position`',
    data({ online: usernames('sorted') }),
    { positionless: true },
  ),
  presence_diff: frame(
    '`?presence=batched` only: at most one per window (`PRESENCE_COALESCE_MS`, longer for a group past `PRESENCE_FANOUT_PER_SECOND`), what changed since; changes that cancelled out are left out; no `position`',
    data({ online: usernames('came online, sorted'), offline: usernames('went offline, sorted') }),
    { positionless: true },
  ),
  new_friend: frame('Someone added me as a friend', NewFriendData),
  new_tournament: frame('A tournament was announced', NewTournamentData),
  notification: frame('An ephemeral notification I sent myself (to my own sockets only)', data({ message: t.string, type: t.string })),
  chat_read_update: frame(
    'A member of one of my chats read the other member’s messages up to `id` (the sender sees its messages read, the reader’s other tabs update their counts); sent only when the read mark moved',
    data({ chat_id: Uuid, username: shown('the reader'), id: uuid('the newest message now read: it and every older message from the same sender') }),
  ),
  block_update: frame(
    'A block between me and another user was added or lifted (by either of us): both flags as they stand now, from my side',
    data({
      username: shown('the other user'),
      is_blocked_user: described(t.boolean, 'I blocked them'),
      is_blocked_by_user: described(t.boolean, 'they blocked me'),
    }),
  ),
  notification_read: frame(
    'Stored notifications of mine became read: by `read_notification`, `POST /api/notifications/mark_all_as_read`, or an invitation accepted, declined, canceled or expired (every tab of mine)',
    data({
      ids: withSchema(t.readonlyArray(Uuid), {
        type: 'array',
        items: schemaOf(Uuid),
        minItems: 1,
        uniqueItems: true,
        description: 'the notifications now read (an invitation’s may have been read before)',
      }),
    }),
  ),
  ack: frame(
    'My frame with a `ref` was taken (the frame carries the same top-level `ref`). With a `position`, this socket was already sent every frame the action’s events give it',
    dataWith(
      { for: described(t.keyof(actionDataCodecs), 'the acknowledged action') },
      {
        position: position('where the action’s last stored event is; absent when it stored nothing'),
        id: uuid('`new_message`: the stored message (the original one for a repeated `client_msg_id`)'),
        chat_id: Uuid,
        date: isoDate('`new_message`: when the message was stored'),
      },
    ),
    { positionless: true, ref: 'required' },
  ),
  error: frame(
    'A refusal of one of my actions (the socket stays open); it carries the frame’s top-level `ref` when the frame had one',
    data({ for: described(t.keyof(actionDataCodecs), 'the refused action'), code: t.keyof(REFUSALS), msg: t.string }),
    { positionless: true, ref: 'optional' },
  ),
};

export type ServerFrameAction = keyof typeof serverFrames;
export type ServerFrameData = { readonly [A in ServerFrameAction]: t.TypeOf<(typeof serverFrames)[A]['data']> };

/** The frame of one action; `position` is set on frames that come from a stored event, `ref` on answers to a frame that had one. */
export interface FrameOf<A extends ServerFrameAction> {
  readonly action: A;
  readonly data: ServerFrameData[A];
  readonly position?: string;
  readonly ref?: string;
}

/** A server → client frame. */
export type ServerFrame = { [A in ServerFrameAction]: FrameOf<A> }[ServerFrameAction];

/** A frame of `action`, its data checked against the action's type. */
export const frameOf = <A extends ServerFrameAction>(action: A, payload: ServerFrameData[A], position?: string): FrameOf<A> => ({
  action,
  data: payload,
  ...(position === undefined ? {} : { position }),
});

/** The actions of frames that answer one client frame (and carry its `ref`). */
export type AnswerAction = { [A in ServerFrameAction]: (typeof serverFrames)[A] extends { readonly ref: string } ? A : never }[ServerFrameAction];

/** The answer to a client frame, with its `ref` when it had one. */
export const answerOf = <A extends AnswerAction>(action: A, payload: ServerFrameData[A], ref: string | undefined): FrameOf<A> => ({
  action,
  data: payload,
  ...(ref === undefined ? {} : { ref }),
});
