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
