import type { ActionName } from '../../src/interfaces/ws/action-codecs.js';

/** The `code` of an `error` frame (the AsyncAPI document's list; a test keeps the two equal). */
export const ERROR_CODES = [
  'already_announced',
  'already_in_game',
  'blocked',
  'cannot_befriend_self',
  'cannot_block_self',
  'cannot_chat_with_self',
  'cannot_invite_self',
  'cannot_like_own_message',
  'forbidden',
  'invalid_content',
  'invitation_pending',
  'message_not_found',
  'no_pending_invitation',
  'not_a_member',
  'not_recipient',
  'notification_not_found',
  'rate_limited',
  'user_not_found',
  'unavailable',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A game's options as the server sends them: every field present. */
export interface GameOptions {
  readonly game_speed: 'slow' | 'medium' | 'fast';
  readonly ranked: boolean;
  readonly cool_mode: boolean;
  readonly score_to_win: number;
  readonly time_limit: number;
}

/** The fields of a stored message, as in REST `ChatMessage`. */
export interface ChatMessage {
  readonly id: string;
  readonly content: string;
  readonly date: string;
  /** Empty when the sender gave its username up to another user. */
  readonly sender: string;
  readonly is_read: boolean;
  readonly is_liked: boolean;
}

export interface NewMessageData extends ChatMessage {
  readonly chat_id: string;
  /** The sender's timestamp, echoed. */
  readonly timestamp: string;
  readonly client_msg_id?: string;
}

/** The `data` of every server → client frame, by action. */
export interface ServerFrameData {
  readonly ready: {
    readonly position: string;
    readonly username: string;
    /** This socket's flood control: the server's token bucket, and the largest frame it reads. */
    readonly limits: { readonly rate_per_second: number; readonly burst: number; readonly max_frame_bytes: number };
  };
  /** The answer to a client frame that carried a `ref` and was taken. */
  readonly ack: {
    readonly for: ActionName;
    /** Present when the action stored an event: this socket already has every frame that event gives it. */
    readonly position?: string;
    /** `new_message` only: the stored message (the original one when a repeated `client_msg_id` stored nothing new). */
    readonly id?: string;
    readonly chat_id?: string;
    readonly date?: string;
  };
  readonly resync_required: { readonly position: string };
  readonly new_message: NewMessageData;
  readonly chat_like_update: { readonly chat_id: string; readonly id: string; readonly is_liked: boolean };
  readonly room_created: { readonly chat_id: string };
  readonly join_chat: { readonly chat_id: string };
  readonly game_invite: { readonly id: string; readonly username: string; readonly nickname: string; readonly avatar: string; readonly options: GameOptions };
  readonly game_accepted: { readonly game_id: string; readonly username: string; readonly nickname: string; readonly avatar: string };
  readonly game_found: { readonly game_id: string; readonly opponent: string; readonly options: GameOptions };
  readonly game_declined: { readonly username: string; readonly nickname: string };
  readonly game_invite_canceled: { readonly username: string; readonly nickname: string; readonly message: string; readonly client_id: string };
  readonly user_online: { readonly username: string };
  readonly user_offline: { readonly username: string };
  /** `?presence=batched` (the SDK's default): who is online in my scope, right after `ready`. */
  readonly presence_state: { readonly online: readonly string[] };
  /** `?presence=batched`: what changed since, at most one per server window. */
  readonly presence_diff: { readonly online: readonly string[]; readonly offline: readonly string[] };
  readonly new_friend: { readonly username: string; readonly nickname: string };
  readonly new_tournament: { readonly tournament_id: string; readonly tournament_name: string; readonly creator: string };
  readonly notification: { readonly message: string; readonly type: string };
  /** `username` read the chat up to message `id` (the sender sees its messages read; the reader's other tabs their counts). */
  readonly chat_read_update: { readonly chat_id: string; readonly username: string; readonly id: string };
  /** `username` is the other user, each side seeing it from its own. */
  readonly block_update: { readonly username: string; readonly is_blocked_user: boolean; readonly is_blocked_by_user: boolean };
  readonly notification_read: { readonly ids: readonly string[] };
  readonly error: { readonly for: ActionName; readonly code: ErrorCode; readonly msg: string };
}

export type ServerFrameAction = keyof ServerFrameData;

/** A socket's flood-control figures, from its `ready`. */
export type SocketLimits = ServerFrameData['ready']['limits'];

/** What an `ack` says. */
export type AckData = ServerFrameData['ack'];

/** The top-level `ref` of the answers: an `ack` always has it, an `error` when its frame had one. */
interface RefOf {
  readonly ack: { readonly ref: string };
  readonly error: { readonly ref?: string };
}

/** A server → client frame; `position` is set on frames that come from a stored event. */
export type ServerFrame = {
  [A in ServerFrameAction]: { readonly action: A; readonly data: ServerFrameData[A]; readonly position?: string } & (A extends keyof RefOf
    ? RefOf[A]
    : unknown);
}[ServerFrameAction];

export type FrameOf<A extends ServerFrameAction> = Extract<ServerFrame, { action: A }>;

const ACTIONS: { readonly [A in ServerFrameAction]: true } = {
  ready: true,
  ack: true,
  resync_required: true,
  new_message: true,
  chat_like_update: true,
  room_created: true,
  join_chat: true,
  game_invite: true,
  game_accepted: true,
  game_found: true,
  game_declined: true,
  game_invite_canceled: true,
  user_online: true,
  user_offline: true,
  presence_state: true,
  presence_diff: true,
  new_friend: true,
  new_tournament: true,
  notification: true,
  chat_read_update: true,
  block_update: true,
  notification_read: true,
  error: true,
};

/** Every server frame action, at run time. */
export const SERVER_FRAME_ACTIONS = Object.keys(ACTIONS) as readonly ServerFrameAction[];

/** A parsed frame when it has the envelope of a server frame (the fields are trusted as the server's). */
export const parseServerFrame = (text: string): ServerFrame | undefined => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { action, data, position, ref } = value as { action?: unknown; data?: unknown; position?: unknown; ref?: unknown };
  if (typeof action !== 'string' || !Object.hasOwn(ACTIONS, action)) return undefined;
  if (typeof data !== 'object' || data === null) return undefined;
  if (position !== undefined && typeof position !== 'string') return undefined;
  if (ref !== undefined ? typeof ref !== 'string' : action === 'ack') return undefined;
  return value as ServerFrame;
};
