import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import WebSocket from 'ws';
import { ChatClient } from '../../sdk/src/client.js';
import type { WebSocketConstructor } from '../../sdk/src/platform.js';
import { freePort } from '../support/free-port.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const MESSAGES = 120;

describe('sdk: the server is killed (SIGKILL) under a stream of sendMessage calls, then restarted', function () {
  this.timeout(90_000);
  let dir: string;
  let server: ServerProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sdk-kill-'));
  });
  afterEach(async () => {
    if (server !== undefined && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`every one of ${MESSAGES} calls resolves exactly once, and every message is stored exactly once`, async () => {
    const port = await freePort();
    const env = { DATA_DIR: dir, PORT: String(port), WS_RATE_PER_SECOND: '1000', WS_RATE_BURST: '1000' };
    server = await startServerProcess(env);
    const first = server;
    const api = async (username: string, method: string, path: string): Promise<unknown> => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${first.token(username)}` } });
      expect(res.status, `${method} ${path}`).to.be.below(300);
      return res.json();
    };
    await api('bob', 'GET', '/api/chats/');
    const { chat_id: chatId } = (await api('alice', 'PUT', '/api/chats/bob')) as { chat_id: string };
    const client = new ChatClient({
      baseUrl: `http://127.0.0.1:${port}`,
      getToken: async () => first.token('alice'),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: { baseMs: 50, maxMs: 300 },
      framesPerSecond: 400,
    });
    await client.connect();
    const resolved = new Map<string, number>();
    const calls = Array.from({ length: MESSAGES }, (_, i) => {
      const content = `m${String(i).padStart(3, '0')}`;
      return client.sendMessage(chatId, content).then((stored) => {
        resolved.set(content, (resolved.get(content) ?? 0) + 1);
        expect(stored.content).to.equal(content);
        return stored.id;
      });
    });
    // Kill the server once some messages are through, then start it again on the same port and data.
    while (resolved.size < MESSAGES / 4) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    await first.exited;
    server = await startServerProcess(env);
    const ids = await Promise.all(calls);
    expect(resolved.size).to.equal(MESSAGES);
    expect(
      [...resolved.values()].every((n) => n === 1),
      'each call resolved once',
    ).to.equal(true);
    expect(new Set(ids).size, 'distinct stored messages').to.equal(MESSAGES);
    const stored = (await api('alice', 'GET', `/api/chats/bob/messages?limit=100`)) as { count: number; items: Array<{ content: string }> };
    const more = (await api('alice', 'GET', `/api/chats/bob/messages?limit=100&offset=100`)) as { items: Array<{ content: string }> };
    expect(stored.count, 'messages stored').to.equal(MESSAGES);
    const contents = [...stored.items, ...more.items].map((m) => m.content).sort();
    expect(contents).to.deep.equal(Array.from({ length: MESSAGES }, (_, i) => `m${String(i).padStart(3, '0')}`));
    client.close();
  });
});
