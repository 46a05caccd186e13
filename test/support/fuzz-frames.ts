import { randomUUID } from 'node:crypto';

/** What the server must do with a generated frame. */
export type Expected = 'error' | 3100 | 1007 | 1009;

export interface FuzzFrame {
  readonly action: string;
  readonly mutation: string;
  readonly payload: string | Buffer;
  readonly expected: Expected;
}

export interface FuzzContext {
  /** The fuzzing user's own name and id, and another (existing) user's id. */
  readonly username: string;
  readonly userId: string;
  readonly otherUserId: string;
}

type Data = Record<string, unknown>;

/**
 * For each action, data of the right shape that the server refuses on business grounds (an
 * `error` frame): unknown chats, messages, users and invitations, or acting in another's name.
 * `notification` has no refused form (it always succeeds), so it is only sent broken.
 */
const refusedBase = (action: string, c: FuzzContext): Data | undefined => {
  const ghost = `ghost_${randomUUID().slice(0, 8)}`;
  switch (action) {
    case 'new_message':
      return { chat_id: randomUUID(), content: 'hello', timestamp: new Date().toISOString() };
    case 'like_message':
    case 'unlike_message':
      return { id: randomUUID(), chat_id: randomUUID() };
    case 'read_message':
      return { id: randomUUID(), chat_id: randomUUID() };
    case 'game_invite':
      return { username: ghost, client_id: randomUUID(), options: { game_speed: 'fast', ranked: true, cool_mode: false, score_to_win: 5, time_limit: 2 } };
    case 'reply_game_invite':
      return { username: ghost, accept: true };
    case 'game_accepted':
    case 'game_declined':
    case 'cancel_game_invite':
      return { username: ghost };
    case 'add_new_friend':
      return { sender_id: c.otherUserId, receiver_id: c.userId };
    case 'new_tournament':
      return { tournament_id: randomUUID(), tournament_name: 'cup', organizer_id: c.otherUserId };
    case 'read_notification':
      return { id: randomUUID() };
    case 'user_online':
    case 'user_offline':
      return { username: ghost };
    case 'join_chat':
    case 'room_created':
      return { chat_id: randomUUID() };
    default:
      return undefined;
  }
};

export const FUZZ_ACTIONS = [
  'new_message',
  'like_message',
  'unlike_message',
  'read_message',
  'game_invite',
  'reply_game_invite',
  'game_accepted',
  'game_declined',
  'add_new_friend',
  'new_tournament',
  'read_notification',
  'notification',
  'user_online',
  'user_offline',
  'cancel_game_invite',
  'join_chat',
  'room_created',
] as const;

const notificationBase = (): Data => ({ message: 'hi', type: 'info' });

const nested = (depth: number, leaf: unknown): string => `${'['.repeat(depth)}${JSON.stringify(leaf)}${']'.repeat(depth)}`;

/** Fields whose only rule is a length: a blank value is their wrong string. */
const FREE_TEXT = new Set(['content', 'message', 'type', 'tournament_name', 'sender_id', 'receiver_id', 'organizer_id']);

const WRONG_TYPES: readonly unknown[] = [0, -1, 3.5, true, false, null, [], {}, [1, 2], { a: 1 }, '', 'x', '00000000-0000-0000-0000-00000000000'];
const HUGE_NUMBERS: readonly string[] = ['1e308', '-1e308', '1e400', '9007199254740993', '123456789012345678901234567890', '-0', '1e-400', '4.9e-324'];

export const BREAKING_SHARE = 0.22;

const ALPHABET = ['a', 'Z', '0', ' ', 'é', 'ß', '中', '文', '😀', '\u0000', '\n', '"', '\\', '<', '>', '&', '\u202e', '\ufeff'];

/** The same refused frame with its free values drawn at random within their valid ranges. */
const randomised = (rand: () => number, data: Data): Data => {
  const out: Data = { ...data };
  const text = (max: number): string => {
    const n = 1 + Math.floor(rand() * max);
    let s = 'x';
    while (s.length < n) s += ALPHABET[Math.floor(rand() * ALPHABET.length)] ?? '';
    // Cut between code points: half a surrogate pair is not valid text (the service refuses it).
    return [...s].slice(0, n).join('');
  };
  if ('content' in out) out['content'] = text(200);
  if ('tournament_name' in out) out['tournament_name'] = text(90);
  if ('username' in out) out['username'] = `ghost_${Math.floor(rand() * 1e9).toString(36)}`;
  if ('accept' in out) out['accept'] = rand() < 0.5;
  if ('timestamp' in out) out['timestamp'] = new Date(Math.floor(rand() * 4e12)).toISOString();
  if ('options' in out) {
    const speeds = ['slow', 'medium', 'fast'];
    out['options'] = {
      game_speed: speeds[Math.floor(rand() * 3)],
      ranked: rand() < 0.5,
      cool_mode: rand() < 0.5,
      score_to_win: 3 + Math.floor(rand() * 18),
      time_limit: 1 + Math.floor(rand() * 5),
    };
  }
  return out;
};

/** A frame whose field `key` holds a raw JSON text (so huge numbers and deep nesting reach the server as written). */
const frameWithRaw = (action: string, data: Data, key: string, raw: string): string => {
  const rest = { ...data };
  delete rest[key];
  const body = JSON.stringify(rest);
  const inner = body === '{}' ? `{${JSON.stringify(key)}:${raw}}` : `{${JSON.stringify(key)}:${raw},${body.slice(1)}`;
  return `{"action":${JSON.stringify(action)},"data":${inner}}`;
};

/** One generated frame: a base of the right shape, broken in one way. */
export const generateFrame = (rand: () => number, c: FuzzContext): FuzzFrame => {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const action = pick(FUZZ_ACTIONS);
  const refused = refusedBase(action, c);
  const data = refused ?? notificationBase();
  const keys = Object.keys(data);
  const key = pick(keys);
  // Most frames keep their socket (refused with an `error` frame), so the run stays fast;
  // about one in five breaks it in one of the ways that must close it.
  const breaking = ['wrong_type', 'deep', 'huge_number', 'bad_utf8', 'missing', 'junk', 'oversized'] as const;
  const mutation = refused === undefined || rand() < BREAKING_SHARE ? pick(breaking) : rand() < 0.4 ? 'extra_keys' : 'random_valid';
  switch (mutation) {
    case 'wrong_type': {
      const value = data[key];
      const wrong = pick(WRONG_TYPES.filter((w) => typeof w !== typeof value || (typeof w === 'string' && typeof value === 'string')));
      // A string field given another (invalid) string: only for fields with a format or a length.
      const replacement = typeof wrong === 'string' && typeof value === 'string' ? (FREE_TEXT.has(key) ? '' : `${wrong} not valid`) : wrong;
      const payload = JSON.stringify({ action, data: { ...data, [key]: replacement } });
      return { action, mutation: `${mutation}:${key}`, payload, expected: 3100 };
    }
    case 'deep': {
      const depth = pick([9, 50, 1000, 20_000]);
      const payload = frameWithRaw(action, data, key, nested(depth, data[key] ?? 1));
      return { action, mutation: `${mutation}:${key}:${depth}`, payload, expected: Buffer.byteLength(payload) > 64 * 1024 ? 1009 : 3100 };
    }
    case 'huge_number':
      return { action, mutation: `${mutation}:${key}`, payload: frameWithRaw(action, data, key, pick(HUGE_NUMBERS)), expected: 3100 };
    case 'random_valid':
      return { action, mutation, payload: JSON.stringify({ action, data: randomised(rand, data) }), expected: 'error' };
    case 'extra_keys': {
      const extra: Data = { [`x_${Math.floor(rand() * 1e6)}`]: pick(WRONG_TYPES), __proto__x: 1, constructor: 'x' };
      return { action, mutation, payload: JSON.stringify({ action, data: { ...data, ...extra }, extra: true }), expected: 'error' };
    }
    case 'bad_utf8': {
      const text = JSON.stringify({ action, data: { ...data, [key]: 'BAD' } });
      const at = text.indexOf('BAD');
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from(pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]])),
        Buffer.from(text.slice(at + 3)),
      ]);
      return { action, mutation: `${mutation}:${key}`, payload: bytes, expected: 1007 };
    }
    case 'missing': {
      // read_message's chat_id and game_invite's options are optional: dropping them keeps a refused frame.
      const optional = (action === 'read_message' && key === 'chat_id') || (action === 'game_invite' && key === 'options');
      const rest = { ...data };
      delete rest[key];
      return { action, mutation: `${mutation}:${key}`, payload: JSON.stringify({ action, data: rest }), expected: optional ? 'error' : 3100 };
    }
    case 'junk': {
      const text = JSON.stringify({ action, data });
      const junk = pick([
        text.slice(0, Math.max(1, Math.floor(rand() * text.length))),
        JSON.stringify({ action: `${action}_x`, data }),
        JSON.stringify({ action, data: [data] }),
        JSON.stringify([action, data]),
        JSON.stringify({ action: 7, data }),
        'null',
        '',
      ]);
      return { action, mutation, payload: junk === text ? `${text}}` : junk, expected: 3100 };
    }
    default:
      return { action, mutation: 'oversized', payload: JSON.stringify({ action, data: { ...data, [key]: 'x'.repeat(64 * 1024) } }), expected: 1009 };
  }
};
