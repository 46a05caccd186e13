import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TestClient } from '../support/test-client.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startTestService } from '../support/test-service.js';
import { fastScheduling } from '../scheduling/support.js';
import { failCommand, onlineNow } from '../ws/faults.js';
import { newUser, sleep } from '../ws/support.js';

const api = async (server: ServerProcess, username: string, method: string, path: string): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(server.base + path, { method, headers: { authorization: `Bearer ${server.token(username)}` } });
  return { status: res.status, body: await res.json() };
};

/** Who `viewer` sees online among its chats, through REST. */
const onlineAmongChats = async (server: ServerProcess, viewer: string): Promise<string[]> => {
  const page = (await api(server, viewer, 'GET', '/api/chats/?limit=100')).body as { items: Array<{ username: string; is_online: boolean }> };
  return page.items.filter((c) => c.is_online).map((c) => c.username);
};

describe('shutdown keeps presence true', function () {
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shutdown-presence-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGTERM under load, then a restart: every user it closed is offline (3 trials)', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const server = await startServerProcess({ DATA_DIR: dir, WS_RATE_PER_SECOND: '10000', WS_RATE_BURST: '10000' });
      const users = Array.from({ length: 16 }, (_, i) => `load_${trial}_${i}`);
      const viewer = `viewer_${trial}`;
      const chats: string[] = [];
      for (const u of users) expect((await api(server, u, 'GET', '/api/chats/')).status).to.equal(200);
      for (const u of users) chats.push(((await api(server, viewer, 'PUT', `/api/chats/${u}`)).body as { chat_id: string }).chat_id);
      const sockets = await Promise.all(users.flatMap((u) => [0, 1].map(() => TestClient.connect(`${server.wsUrl}?token=${server.token(u)}`))));
      // Every socket sends as fast as its messages are acknowledged until the server goes away.
      let sent = 0;
      const load = sockets.map(async (s, i) => {
        const chatId = chats[Math.floor(i / 2)] as string;
        while (s.ws.readyState === s.ws.OPEN) {
          const content = `m${sent++}`;
          s.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
          await s.next((f) => f.action === 'new_message' && f.data['content'] === content, 5000).catch(() => undefined);
        }
      });
      await sleep(300);
      server.child.kill('SIGTERM');
      const codes = await Promise.all(sockets.map((s) => s.closed.then((c) => c.code)));
      expect(new Set(codes)).to.deep.equal(new Set([1001]));
      expect(await server.exited).to.equal(0);
      await Promise.all(load);
      expect(sent).to.be.greaterThan(16);
      expect(server.output()).to.not.include('is closed');

      const again = await startServerProcess({ DATA_DIR: dir });
      expect(await onlineAmongChats(again, viewer), `trial ${trial}`).to.deep.equal([]);
      again.child.kill('SIGTERM');
      expect(await again.exited).to.equal(0);
    }
  });

  it('SIGTERM sent to `npm start` reaches the server: it drains (1001), exits 0, and leaves no process serving', async () => {
    const server = await startServerProcess({ DATA_DIR: dir }, ['npm', 'start', '--silent']);
    const client = await TestClient.connect(`${server.wsUrl}?token=${server.token('alice')}`);
    expect(client.readyFrame?.action).to.equal('ready');
    server.child.kill('SIGTERM');
    expect((await client.closed).code).to.equal(1001);
    expect(await server.exited).to.equal(0);
    await sleep(200);
    const refused = await fetch(`${server.base}/healthz`).then(
      () => false,
      () => true,
    );
    expect(refused, 'nothing listens on the port any more').to.equal(true);
    // No orphan: no process is left running the server from this data directory.
    const ps = execFileSync('ps', ['-eo', 'args']).toString();
    expect(ps.split('\n').filter((l) => l.includes('serve.js') && l.includes(dir))).to.deep.equal([]);
  });

  it('a node that could not write its close-outs keeps its lease, so another node closes its connections out', async () => {
    const overrides = fastScheduling({ presence: { leaseTtlMs: 600 } });
    const a = await startTestService(overrides);
    const b = await startTestService(overrides, { dataDir: a.dataDir });
    try {
      const alice = await newUser(a, 'alice');
      const onB = await b.connect(alice.name, { token: alice.token });
      expect(onB.readyFrame?.action).to.equal('ready');
      expect((await onlineNow(a.service)).has(alice.id)).to.equal(true);
      failCommand(b.service, 'CloseConnection');
      await b.stop();
      const deadline = Date.now() + 10_000;
      while ((await onlineNow(a.service)).has(alice.id)) {
        if (Date.now() > deadline) throw new Error('alice stayed online after her node stopped');
        await sleep(100);
      }
    } finally {
      await a.stop();
    }
  });
});
