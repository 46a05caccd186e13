import * as t from 'io-ts';
import { closedPartial, IntInRange, IsoTimestamp, MessageContent, Ref, ShortText, UserId, Username, Uuid } from './primitives.js';

const GameOptions = closedPartial(
  {
    game_speed: t.keyof({ slow: null, medium: null, fast: null }),
    ranked: t.boolean,
    cool_mode: t.boolean,
    score_to_win: IntInRange(3, 20),
    time_limit: IntInRange(1, 5),
  },
  'game options',
);

const withUsername = t.type({ username: Username });

/** The `data` codec of each of the 17 client actions of CHAT.md §4. */
export const actionDataCodecs = {
  new_message: t.intersection([t.type({ content: MessageContent, chat_id: Uuid, timestamp: IsoTimestamp }), t.partial({ client_msg_id: Uuid })]),
  like_message: t.type({ id: Uuid, chat_id: Uuid }),
  unlike_message: t.type({ id: Uuid, chat_id: Uuid }),
  read_message: t.intersection([t.type({ id: Uuid }), t.partial({ chat_id: Uuid })]),
  game_invite: t.intersection([t.type({ username: Username, client_id: Uuid }), t.partial({ options: GameOptions })]),
  reply_game_invite: t.type({ username: Username, accept: t.boolean }),
  game_accepted: withUsername,
  game_declined: withUsername,
  add_new_friend: t.type({ sender_id: UserId, receiver_id: UserId }),
  new_tournament: t.type({ tournament_id: Uuid, tournament_name: ShortText(100), organizer_id: UserId }),
  read_notification: t.type({ id: Uuid }),
  notification: t.type({ message: ShortText(256), type: ShortText(50) }),
  user_online: withUsername,
  user_offline: withUsername,
  cancel_game_invite: withUsername,
  join_chat: t.type({ chat_id: Uuid }),
  room_created: t.type({ chat_id: Uuid }),
} as const;

export type ActionName = keyof typeof actionDataCodecs;

/** A decoded client action: the discriminated union of every action with its typed data. */
export type ClientAction = { [A in ActionName]: { readonly action: A; readonly data: t.TypeOf<(typeof actionDataCodecs)[A]> } }[ActionName];

export const isActionName = (s: unknown): s is ActionName => typeof s === 'string' && Object.hasOwn(actionDataCodecs, s);

/** Every client frame: `action`, `data`, and an optional `ref` to be acknowledged. */
export const Envelope = t.intersection([t.type({ action: t.string, data: t.UnknownRecord }), t.partial({ ref: Ref })]);
