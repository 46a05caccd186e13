import type { ServerFrame, ServerFrameAction, ServerFrameData } from '../../src/application/wire/server-frames.js';
import { REFUSALS, type PublicRefusalCode } from '../../src/domain/shared/decision.js';

/*
 * The frames' types are the server's own (src/application/wire/server-frames.ts, from the codecs
 * the AsyncAPI document is generated from): the SDK imports them, so the two cannot drift.
 */
export type { FrameOf, ServerFrame, ServerFrameAction, ServerFrameData } from '../../src/application/wire/server-frames.js';

/** The `code` of an `error` frame. */
export type ErrorCode = PublicRefusalCode;
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(REFUSALS).filter((code): code is ErrorCode => Object.hasOwn(REFUSALS, code));

/** A game's options as the server sends them: every field present. */
export type GameOptions = ServerFrameData['game_found']['options'];

/** A stored message as frames and REST show it. */
export type NewMessageData = ServerFrameData['new_message'];
export type ChatMessage = Omit<NewMessageData, 'chat_id' | 'timestamp' | 'client_msg_id'>;

/** A socket's flood-control figures, from its `ready`. */
export type SocketLimits = ServerFrameData['ready']['limits'];

/** What an `ack` says. */
export type AckData = ServerFrameData['ack'];

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
