import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Config } from '../../src/infrastructure/config/config.js';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';

/** Shapes of PROTOCOL.md's REST answers, checked key by key by the `expect*` functions below. */
export interface ChatMessage {
  readonly id: string;
  readonly content: string;
  readonly date: string;
  readonly sender: string;
  readonly is_read: boolean;
  readonly is_liked: boolean;
}

interface PeerFields {
  readonly chat_id: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly is_online: boolean;
  readonly is_blocked_user: boolean;
  readonly is_blocked_by_user: boolean;
}

export interface Chat extends PeerFields {
  readonly messages: readonly ChatMessage[];
}

export interface ChatPreview extends PeerFields {
  readonly unread_messages_count: number;
  readonly last_message: ChatMessage | null;
}

export interface Notification {
  readonly id: string;
  readonly action: 'game_invite' | 'new_tournament' | 'new_friend';
  readonly data: Readonly<Record<string, unknown>>;
  readonly is_read: boolean;
  readonly date: string;
}

export interface BlockedUser {
  readonly username: string;
  readonly nickname: string;
  readonly avatar: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly count: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** ISO 8601 in UTC, as `Date.prototype.toISOString` writes it (fractional seconds optional). */
export const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

const record = (u: unknown, what: string): Record<string, unknown> => {
  if (!isRecord(u)) throw new Error(`${what} is not a JSON object: ${JSON.stringify(u)}`);
  return u;
};

const PEER_KEYS = ['chat_id', 'username', 'nickname', 'avatar', 'is_online', 'is_blocked_user', 'is_blocked_by_user'] as const;

const expectPeerFields = (o: Record<string, unknown>): void => {
  expect(o['chat_id'], 'chat_id').to.be.a('string').and.match(UUID_RE);
  for (const k of ['username', 'nickname', 'avatar'] as const) expect(o[k], k).to.be.a('string');
  for (const k of ['is_online', 'is_blocked_user', 'is_blocked_by_user'] as const) expect(o[k], k).to.be.a('boolean');
};

export const expectChatMessage = (u: unknown): ChatMessage => {
  const o = record(u, 'ChatMessage');
  expect(o).to.have.all.keys('id', 'content', 'date', 'sender', 'is_read', 'is_liked');
  expect(o['id'], 'id').to.be.a('string').and.match(UUID_RE);
  expect(o['content'], 'content').to.be.a('string');
  expect(o['date'], 'date').to.be.a('string').and.match(ISO_UTC_RE);
  expect(o['sender'], 'sender').to.be.a('string').and.not.equal('');
  expect(o['is_read'], 'is_read').to.be.a('boolean');
  expect(o['is_liked'], 'is_liked').to.be.a('boolean');
  return o as unknown as ChatMessage;
};

export const expectChat = (u: unknown): Chat => {
  const o = record(u, 'Chat');
  expect(o).to.have.all.keys(...PEER_KEYS, 'messages');
  expectPeerFields(o);
  expect(o['messages'], 'messages').to.be.an('array');
  (o['messages'] as unknown[]).forEach(expectChatMessage);
  return o as unknown as Chat;
};

export const expectChatPreview = (u: unknown): ChatPreview => {
  const o = record(u, 'ChatPreview');
  expect(o).to.have.all.keys(...PEER_KEYS, 'unread_messages_count', 'last_message');
  expectPeerFields(o);
  expect(o['unread_messages_count'], 'unread_messages_count').to.be.a('number').and.satisfy(Number.isInteger).and.at.least(0);
  if (o['last_message'] !== null) expectChatMessage(o['last_message']);
  return o as unknown as ChatPreview;
};

export const expectNotification = (u: unknown): Notification => {
  const o = record(u, 'Notification');
  expect(o).to.have.all.keys('id', 'action', 'data', 'is_read', 'date');
  expect(o['id'], 'id').to.be.a('string').and.match(UUID_RE);
  expect(o['action'], 'action').to.be.oneOf(['game_invite', 'new_tournament', 'new_friend']);
  expect(isRecord(o['data']), 'data is an object').to.equal(true);
  expect(o['is_read'], 'is_read').to.be.a('boolean');
  expect(o['date'], 'date').to.be.a('string').and.match(ISO_UTC_RE);
  return o as unknown as Notification;
};

export const expectBlockedUser = (u: unknown): BlockedUser => {
  const o = record(u, 'blocked user');
  expect(o).to.have.all.keys('username', 'nickname', 'avatar');
  for (const k of ['username', 'nickname', 'avatar'] as const) expect(o[k], k).to.be.a('string');
  return o as unknown as BlockedUser;
};

/** A 200 `{ items, count }` page whose items all pass `item`. */
export const expectPage = <T>(res: HttpAnswer, item: (u: unknown) => T): Page<T> => {
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  const o = record(res.body, 'page');
  expect(o).to.have.all.keys('items', 'count');
  expect(o['items']).to.be.an('array');
  expect(o['count']).to.be.a('number').and.satisfy(Number.isInteger);
  const items = (o['items'] as unknown[]).map(item);
  expect(o['count'] as number).to.be.at.least(items.length);
  return { items, count: o['count'] as number };
};

/** `status` with exactly `{ "msg": "<non-empty string>" }` as body. */
export const expectError = (res: HttpAnswer, status: number): string => {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  const o = record(res.body, `the ${status} body`);
  expect(o).to.have.all.keys('msg');
  expect(o['msg']).to.be.a('string').and.not.equal('');
  return o['msg'] as string;
};

/** A message, as one answer with a `msg` (mark_all_as_read, blocks). */
export const expectMsg = (res: HttpAnswer, status = 200): string => expectError(res, status);

let counter = 0;
/** A username unique within the process (the user becomes known on first use). */
export const uniqueName = (base: string): string => `${base}_${++counter}`;

export const idOf = (username: string): string => `id-${username}`;

/** Per-file service with limits loose enough for bursts of test traffic. */
export const startHttpTestService = (overrides: Partial<Config> = {}): Promise<TestService> =>
  startTestService({
    ws: { maxBufferedBytes: 1024 * 1024, ratePerSecond: 10_000, rateBurst: 10_000, rateWarnings: 3 },
    sqliteSynchronous: 'NORMAL',
    ...overrides,
  });

/** Makes users known (their first valid token) with one cheap authenticated request each. */
export const makeKnown = async (svc: TestService, ...usernames: string[]): Promise<void> => {
  for (const username of usernames) {
    const res = await svc.http('GET', '/api/blocks/', { username });
    expect(res.status).to.equal(200);
  }
};

export const putChat = async (svc: TestService, as: string, peer: string): Promise<{ status: number; chat: Chat }> => {
  const res = await svc.http('PUT', `/api/chats/${peer}`, { username: as });
  expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  return { status: res.status, chat: expectChat(res.body) };
};

export const getPreviews = async (svc: TestService, as: string, query = ''): Promise<Page<ChatPreview>> =>
  expectPage(await svc.http('GET', `/api/chats/${query}`, { username: as }), expectChatPreview);

export const getMessages = async (svc: TestService, as: string, peer: string, query = ''): Promise<Page<ChatMessage>> =>
  expectPage(await svc.http('GET', `/api/chats/${peer}/messages${query}`, { username: as }), expectChatMessage);

export const getNotifications = async (svc: TestService, as: string, query = ''): Promise<Page<Notification>> =>
  expectPage(await svc.http('GET', `/api/notifications/${query}`, { username: as }), expectNotification);

export const previewOf = (page: Page<ChatPreview>, username: string): ChatPreview => {
  const p = page.items.find((i) => i.username === username);
  if (p === undefined) throw new Error(`no preview for ${username} in ${JSON.stringify(page.items.map((i) => i.username))}`);
  return p;
};

/** Sends a message and waits for the server's `new_message` acknowledgement of it. */
export const sendMessage = async (client: TestClient, chatId: string, content: string): Promise<ReceivedFrame> => {
  client.send('new_message', { content, chat_id: chatId, timestamp: new Date().toISOString() });
  return client.next((f) => f.action === 'new_message' && f.data['chat_id'] === chatId && f.data['content'] === content);
};

/**
 * For actions that send no frame back (read_message, an invitation to an offline user...): a
 * socket's frames are handled in order, so once the echo of an ephemeral `notification` sent
 * after them arrives, they were stored, and a REST read (which catches up with the log's head)
 * sees them. No sleep involved.
 */
export const barrier = async (client: TestClient): Promise<void> => {
  const message = `barrier-${randomUUID()}`;
  client.send('notification', { message, type: 'barrier' });
  const echoed = await client.next(
    (f) => (f.action === 'notification' && f.data['message'] === message) || (f.action === 'error' && f.data['for'] === 'notification'),
  );
  if (echoed.action === 'error') throw new Error(`barrier refused: ${JSON.stringify(echoed.data)}`);
  // Frames are strictly ordered: an earlier refusal would be queued before the echo.
  const refused = client.pending().find((f) => f.action === 'error');
  if (refused !== undefined) throw new Error(`an action before the barrier was refused: ${JSON.stringify(refused.data)}`);
};

/** Sockets opened by a test, closed after it. */
export class Sockets {
  private readonly open: TestClient[] = [];

  constructor(private readonly svc: () => TestService) {}

  async connect(username: string, options: { token?: string } = {}): Promise<TestClient> {
    const client = await this.svc().connect(username, options);
    this.open.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => c.close()));
  }
}
