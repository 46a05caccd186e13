/** WebSocket close codes and `error` frame codes, as documented (AsyncAPI `x-close-codes`, the guide). */
export const CLOSE_CODES: ReadonlyArray<{ readonly code: number; readonly name: string; readonly meaning: string }> = [
  {
    code: 3100,
    name: 'BAD_DATA',
    meaning:
      'unparsable JSON, unknown action, missing or wrongly typed fields, invalid uuid, oversized content, unknown game option, a binary frame: anything that does not decode',
  },
  { code: 3001, name: 'UNAUTHORIZED', meaning: 'the token expired while connected' },
  { code: 1007, name: 'INVALID_PAYLOAD', meaning: 'a text frame that is not valid UTF-8' },
  { code: 1009, name: 'MESSAGE_TOO_BIG', meaning: 'a frame larger than 64 KiB' },
  { code: 1008, name: 'POLICY_VIOLATION', meaning: 'the rate limit was exceeded again after `WS_RATE_WARNINGS` rate_limited errors' },
  {
    code: 1013,
    name: 'TRY_AGAIN_LATER',
    meaning: 'the client does not read its frames (more than `WS_MAX_BUFFERED_BYTES` buffered for a second, or 4× at once)',
  },
  { code: 1011, name: 'INTERNAL_ERROR', meaning: "a fault on the server's side" },
  { code: 1001, name: 'GOING_AWAY', meaning: 'the server is shutting down: reconnect (with ?since=) to another node or later' },
];

/** Codes of `error` frames: the deciders' refusals, plus the gateway's own. */
export const ERROR_CODES: Readonly<Record<string, string>> = {
  already_announced: 'the tournament was already announced',
  already_in_game: 'either side is in an ongoing game',
  blocked: 'one side blocked the other',
  cannot_befriend_self: 'adding oneself as a friend',
  cannot_block_self: 'blocking oneself',
  cannot_chat_with_self: 'a chat with oneself',
  cannot_invite_self: 'inviting oneself',
  cannot_like_own_message: 'liking or unliking one’s own message',
  forbidden: 'acting in another user’s name (`username`, `sender_id`, `organizer_id` not one’s own)',
  invalid_content: 'message content empty or too long once trimmed',
  invitation_pending: 'either side already has a pending invitation',
  message_not_found: 'no such message in this chat',
  no_pending_invitation: 'no pending invitation to reply to or cancel',
  not_a_member: 'not a member of the chat',
  not_recipient: 'only the recipient may mark a message read',
  notification_not_found: 'no such notification of mine',
  rate_limited: 'too many frames (socket flood control) or invitations (`INVITE_RATE_MAX` per `INVITE_RATE_WINDOW_MS`): slow down',
  user_not_found: 'no such user',
  unavailable: 'the read side has not caught up or a store is unavailable: retry later',
  internal_error: 'the server could not handle the action: retry later',
};
