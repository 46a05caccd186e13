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
export type ActionData<A extends ActionName> = t.TypeOf<(typeof actionDataCodecs)[A]>;

/** The decoded actions among `A`: each with its typed data (a union the dispatch can follow generically). */
export type ActionOf<A extends ActionName> = { [K in A]: { readonly action: K; readonly data: ActionData<K> } }[A];

/** A decoded client action: the discriminated union of every action with its typed data. */
export type ClientAction = ActionOf<ActionName>;

/** What each action does, for the AsyncAPI document. */
export const ACTION_SUMMARIES: Readonly<Record<ActionName, string>> = {
  new_message: 'Send a message to a chat I am a member of (`client_msg_id`, a uuid, will be accepted and echoed: re-sending one stores nothing new)',
  like_message: 'Like a message of the other member',
  unlike_message: 'Unlike a message of the other member',
  read_message:
    'As the recipient: this message and every older one from the same sender are read; `chat_read_update` to both members when the read mark moved (a repeat sends nothing)',
  game_invite: 'Invite a user to a game (options all optional, unknown keys are BAD_DATA; `client_id` is my tab’s id)',
  reply_game_invite: 'Accept or decline the pending invitation from `username`; its notification is read (`notification_read` to my tabs)',
  game_accepted: 'Shorthand for reply_game_invite with accept: true',
  game_declined: 'Shorthand for reply_game_invite with accept: false',
  add_new_friend: 'Announce a friendship (`sender_id` must be my own id); refused (`blocked`) when either user blocked the other',
  new_tournament: 'Announce a tournament to every other user (`organizer_id` must be my own id), except users who blocked me or whom I blocked',
  read_notification: 'Mark one of my notifications read: `notification_read` to every tab of mine (a repeat sends nothing)',
  notification: 'An ephemeral notification to my own sockets only',
  user_online: 'Refresh activity and re-announce presence (`username` must be mine)',
  user_offline: 'Announce myself offline now, as at logout (`username` must be mine)',
  cancel_game_invite: 'Cancel my pending invitation to `username` (its notification is read: `notification_read` to the invitee)',
  join_chat: 'Join a chat’s group on this socket (a member only)',
  room_created: 'Tell the other member’s tabs to join the chat; refused (`blocked`) when either member blocked the other',
};

export const isActionName = (s: unknown): s is ActionName => typeof s === 'string' && Object.hasOwn(actionDataCodecs, s);

/** Every client frame: `action`, `data`, and an optional `ref` to be acknowledged. */
export const Envelope = t.intersection([t.type({ action: t.string, data: t.UnknownRecord }), t.partial({ ref: Ref })]);
