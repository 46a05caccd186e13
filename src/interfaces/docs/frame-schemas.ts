import { actionDataCodecs } from '../ws/action-codecs.js';
import { Ref } from '../ws/primitives.js';
import { schemaOf } from './codec-schema.js';
import { arrayOf, bool, int, object, str, type JsonSchema } from './json-schema.js';
import { ERROR_CODES } from './wire-codes.js';
import {
  chatMessageProps,
  gameInviteData,
  gameOptions,
  isoDate,
  newFriendData,
  newTournamentData,
  position,
  shownUsername,
  username,
  uuid,
} from './wire-schemas.js';

export interface FrameDoc {
  readonly summary: string;
  readonly data: JsonSchema;
  /** Never carries a `position` at the top: state (batched presence), or an answer (`ack`). */
  readonly positionless?: true;
  /** The top-level `ref` of the client frame it answers: always (`ack`), or when that frame had one (`error`). */
  readonly ref?: 'required' | 'optional';
}

const refOfFrame = (description: string): JsonSchema => ({ ...schemaOf(Ref), description });

const usernames = (description: string): JsonSchema => ({ ...arrayOf(username()), uniqueItems: true, description });

const profile = { username: shownUsername(), nickname: str(), avatar: str() };

/** Every server → client frame's `data` (src/application/broadcast/frames.ts, and the gateway's direct replies). */
export const SERVER_FRAMES: Readonly<Record<string, FrameDoc>> = {
  ready: {
    summary: 'The socket’s first frame: set-up done (known to every node, in all its groups); `position` is where a resume may start',
    data: object({
      position: position(),
      username: username('this socket’s user'),
      limits: object(
        {
          rate_per_second: int(0),
          burst: int(0),
          max_frame_bytes: int(1),
        },
        [],
        'this socket’s flood control, so that a client can pace itself: `rate_per_second` frames sustained (`WS_RATE_PER_SECOND`), `burst` at once (`WS_RATE_BURST`), frames of at most `max_frame_bytes` bytes',
      ),
    }),
  },
  resync_required: {
    summary: 'Instead of a replay longer than `WS_RESUME_MAX_FRAMES`: reload state over REST; live frames follow from `position`',
    data: object({ position: position() }),
  },
  new_message: {
    summary: 'A message stored in one of my chats (also the sender’s acknowledgement)',
    data: object(
      {
        chat_id: uuid(),
        ...chatMessageProps,
        timestamp: str({ description: 'the client’s timestamp, echoed' }),
        client_msg_id: uuid('the client’s id for the message, echoed when it sent one'),
      },
      ['client_msg_id'],
    ),
  },
  chat_like_update: { summary: 'A message was liked or unliked', data: object({ chat_id: uuid(), id: uuid('the message'), is_liked: bool() }) },
  room_created: { summary: 'A member announced the chat: join it', data: object({ chat_id: uuid() }) },
  join_chat: { summary: 'This socket joined the chat’s group (a chat created with me, or the answer to `join_chat`)', data: object({ chat_id: uuid() }) },
  game_invite: { summary: 'I am invited to a game', data: gameInviteData },
  game_accepted: { summary: 'An invitation was accepted; the other player', data: object({ game_id: uuid(), ...profile }) },
  game_found: {
    summary: 'The game starts (after game_accepted, to both players)',
    data: object({ game_id: uuid(), opponent: shownUsername(), options: gameOptions }),
  },
  game_declined: { summary: 'My invitation was declined', data: object({ username: shownUsername(), nickname: str() }) },
  game_invite_canceled: {
    summary: 'An invitation was canceled, expired, or its inviter left',
    data: object({ username: shownUsername('the other side'), nickname: str(), message: str(), client_id: uuid('the inviting tab’s id') }),
  },
  user_online: {
    summary: 'A user’s connection count went 0 → 1 (to every socket, or with `PRESENCE_SCOPE=contacts` to their contacts’; not to `?presence=batched` sockets)',
    data: object({ username: shownUsername() }),
  },
  user_offline: {
    summary: 'A user’s connection count went 1 → 0, or the inactivity sweep took them offline (same audience as user_online)',
    data: object({ username: shownUsername() }),
  },
  presence_state: {
    summary: '`?presence=batched` only, right after `ready` (also on a resume): the users online in my presence scope; no `position`',
    data: object({ online: usernames('sorted') }),
    positionless: true,
  },
  presence_diff: {
    summary:
      '`?presence=batched` only: at most one per window (`PRESENCE_COALESCE_MS`, longer for a group past `PRESENCE_FANOUT_PER_SECOND`), what changed since; changes that cancelled out are left out; no `position`',
    data: object({ online: usernames('came online, sorted'), offline: usernames('went offline, sorted') }),
    positionless: true,
  },
  new_friend: { summary: 'Someone added me as a friend', data: newFriendData },
  new_tournament: { summary: 'A tournament was announced', data: newTournamentData },
  notification: { summary: 'An ephemeral notification I sent myself (to my own sockets only)', data: object({ message: str(), type: str() }) },
  error: {
    summary: 'A business-rule refusal of one of my actions, or a fault (the socket stays open); with the action’s `ref` when its frame had one',
    data: object({
      for: str({ enum: Object.keys(actionDataCodecs), description: 'the refused action' }),
      code: str({ enum: Object.keys(ERROR_CODES) }),
      msg: str(),
    }),
    ref: 'optional',
  },
  ack: {
    summary:
      'The answer to a frame that carried a `ref`, when its action was taken (a refusal is an `error` with that `ref`); sent after every frame its stored events give this socket',
    data: object(
      {
        for: str({ enum: Object.keys(actionDataCodecs), description: 'the action taken' }),
        position: position('the position of the last event the action stored (absent when it stored none): this socket already had its frames'),
        id: uuid('`new_message`: the stored message (the original one for a repeated `client_msg_id`)'),
        chat_id: uuid('`new_message`: its chat'),
        date: isoDate('`new_message`: when the message was stored'),
      },
      ['position', 'id', 'chat_id', 'date'],
    ),
    positionless: true,
    ref: 'required',
  },
};

/** The whole frame: `action`, `data`, `position` when it comes from a stored event, `ref` when it answers a frame that had one. */
export const frameSchema = (action: string, doc: FrameDoc): JsonSchema => {
  const ref: Record<string, JsonSchema> = doc.ref === undefined ? {} : { ref: refOfFrame('the `ref` of the client frame this answers') };
  const optionalRef = doc.ref === 'optional' ? ['ref'] : [];
  return doc.positionless === true
    ? object({ action: { const: action }, ...ref, data: doc.data }, optionalRef, doc.summary)
    : object(
        { action: { const: action }, ...ref, data: doc.data, position: position('the event’s position (frames from stored events)') },
        ['position', ...optionalRef],
        doc.summary,
      );
};
