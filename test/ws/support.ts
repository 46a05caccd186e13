import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { expect } from 'chai';
import { startTestService, type TestOverrides, type TestService } from '../support/test-service.js';
import type { ChatClientOptions } from '../../sdk/src/client.js';
import { sdkTab, type SdkTab } from '../support/sdk-tab.js';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';

let counter = 0;
/** A fresh username per test, so pending invitations, games and presence never leak between tests. */
export const uniq = (base: string): string => `${base}_${++counter}`;

export const idOf = (username: string): string => `id-${username}`;

export const asRecord = (u: unknown): Record<string, unknown> => {
  expect(u, 'expected a JSON object').to.be.an('object').and.not.equal(null);
  return u as Record<string, unknown>;
};

export const itemsOf = (body: unknown): Record<string, unknown>[] => {
  const items = asRecord(body)['items'];
  expect(items).to.be.an('array');
  return (items as unknown[]).map(asRecord);
};

/** Makes users known (and read-model visible) through REST: the answer waits for projections. */
export const register = async (svc: TestService, ...usernames: string[]): Promise<void> => {
  for (const username of usernames) {
    const res = await svc.http('GET', '/api/chats/', { username });
    expect(res.status, `register ${username}`).to.equal(200);
  }
};

/** `PUT /api/chats/{b}` as `a` (both registered first); returns the chat id. */
export const openChat = async (svc: TestService, a: string, b: string): Promise<string> => {
  await register(svc, a, b);
  const res = await svc.http('PUT', `/api/chats/${b}`, { username: a });
  expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  const chatId = asRecord(res.body)['chat_id'];
  expect(chatId).to.be.a('string');
  return chatId as string;
};

/**
 * A barrier: an own `notification` round trip. Frames are processed in order per socket and the
 * broadcaster follows the log in order, so once the echo arrives every frame caused by anything
 * stored before it (by this socket, or observed by the test before the call) has arrived too.
 */
export const ping = async (client: TestClient): Promise<void> => {
  const tag = randomUUID();
  client.send('notification', { message: tag, type: 'ping' });
  await client.next((f) => f.action === 'notification' && f.data['message'] === tag);
};

/** Every frame queued on the client so far (after a `ping`, those caused before it), consumed. */
export const drain = (client: TestClient): Promise<ReceivedFrame[]> => client.collect(0);

/** Frames other than presence chatter (which every socket of the service shares) and barrier echoes (which every tab of the user gets). */
export const notPresence = (f: ReceivedFrame): boolean =>
  f.action !== 'user_online' && f.action !== 'user_offline' && !(f.action === 'notification' && f.data['type'] === 'ping');

export const sendMessage = (client: TestClient, chatId: string, content: string, timestamp = new Date().toISOString()): string => {
  client.send('new_message', { chat_id: chatId, content, timestamp });
  return timestamp;
};

export const nextMessage = (client: TestClient, content: string, timeoutMs?: number): Promise<ReceivedFrame> =>
  client.next((f) => f.action === 'new_message' && f.data['content'] === content, timeoutMs);

export const nextError = (client: TestClient, forAction: string, timeoutMs?: number): Promise<ReceivedFrame> =>
  client.next((f) => f.action === 'error' && f.data['for'] === forAction, timeoutMs);

/** Asserts the socket is still open and still served. */
export const expectStillOpen = async (client: TestClient): Promise<void> => {
  expect(client.ws.readyState, 'socket state').to.equal(client.ws.OPEN);
  await ping(client);
};

export type UpgradeOutcome = { readonly upgraded: true } | { readonly upgraded: false; readonly status: number; readonly body: string };

/** A raw WebSocket handshake, so a refusal's status and body can be read and no `ws` client is involved. */
export const rawUpgrade = (svc: TestService, pathAndQuery: string, headers: Record<string, string> = {}): Promise<UpgradeOutcome> =>
  new Promise((resolve, reject) => {
    const url = new URL(svc.service.url);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: pathAndQuery,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': Buffer.from(randomUUID().slice(0, 16)).toString('base64'),
        'sec-websocket-version': '13',
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ upgraded: true });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ upgraded: false, status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

export { sleep, waitUntil } from '../support/wait.js';

export const MESSAGE_KEYS = ['chat_id', 'content', 'date', 'id', 'is_liked', 'is_read', 'sender', 'timestamp'];
export const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface User {
  readonly name: string;
  readonly id: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly token: string;
  connect(options?: { since?: string; awaitReady?: boolean; autoPong?: boolean; presence?: string }): Promise<TestClient>;
  /** Connects and waits until the socket is set up (groups joined): an own round trip. */
  connectReady(options?: { since?: string; presence?: string }): Promise<TestClient>;
  http(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** A tab on the SDK's `ChatClient`, connected (its first `ready` came). */
  sdk(options?: Partial<ChatClientOptions>): Promise<SdkTab>;
}

/** A fresh user with a nickname and avatar, made known through REST (so the read models see it). */
export const newUser = async (svc: TestService, base: string): Promise<User> => {
  const name = uniq(base);
  const nickname = `${base[0]?.toUpperCase() ?? ''}${base.slice(1)} ${counter}`;
  const avatar = `https://example.test/${name}.png`;
  const token = svc.token(name, { nickname, avatar });
  const user: User = {
    name,
    id: idOf(name),
    nickname,
    avatar,
    token,
    connect: (o = {}) => svc.connect(name, { token, ...o }),
    connectReady: async (o = {}) => {
      const client = await svc.connect(name, { token, ...o });
      await ping(client);
      return client;
    },
    http: (method, path, body) => svc.http(method, path, { token, ...(body === undefined ? {} : { body }) }),
    sdk: async (options = {}) => {
      const tab = sdkTab(svc.service.url, () => token, options);
      await tab.client.connect();
      return tab;
    },
  };
  const res = await user.http('GET', '/api/chats/');
  expect(res.status).to.equal(200);
  return user;
};

/** `PUT /api/chats/{b}` as `a`: the chat id. */
export const chatBetween = async (a: User, b: User): Promise<string> => {
  const res = await a.http('PUT', `/api/chats/${b.name}`);
  expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  const chatId = asRecord(res.body)['chat_id'];
  expect(chatId).to.be.a('string');
  return chatId as string;
};

/** A socket or SDK tab a test opened. */
interface Closable {
  close(): Promise<unknown>;
}

export interface ServiceFixture {
  /** The describe block's service (started in its `before`). */
  readonly svc: TestService;
  /** Closes `client` after the current test. */
  keep<C extends Closable>(client: C): C;
}

/** One service for a describe block (started before its tests, stopped after them); sockets kept are closed after each test. */
export const serviceFixture = (overrides: TestOverrides = {}): ServiceFixture => {
  let started: TestService | undefined;
  const clients: Closable[] = [];
  before(async () => {
    started = await startTestService(overrides);
  });
  after(async () => {
    await started?.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  return {
    get svc(): TestService {
      if (started === undefined) throw new Error('the service is not started yet');
      return started;
    },
    keep: (client) => {
      clients.push(client);
      return client;
    },
  };
};
