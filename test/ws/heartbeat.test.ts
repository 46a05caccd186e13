import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import { onlineNow } from './faults.js';
import { newUser, sleep } from './support.js';

const PING_MS = 150;
const PONG_MS = 150;

describe('WebSocket heartbeat: half-open connections are counted out', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ ws: { pingIntervalMs: PING_MS, pongTimeoutMs: PONG_MS } });
  });
  after(async () => svc.stop());

  it('a client that answers pings stays connected across many intervals', async () => {
    const alice = await newUser(svc, 'alice');
    const client = await alice.connect();
    let pings = 0;
    client.ws.on('ping', () => (pings += 1));
    await sleep(PING_MS * 6);
    expect(pings, 'pings received').to.be.greaterThanOrEqual(3);
    expect(client.ws.readyState).to.equal(client.ws.OPEN);
    expect((await onlineNow(svc.service)).has(alice.id)).to.equal(true);
    await client.close();
  });

  const halfOpen: Array<{ readonly how: string; readonly open: (u: Awaited<ReturnType<typeof newUser>>) => Promise<{ stop: () => void }> }> = [
    {
      how: 'withholds its pongs',
      open: async (u) => {
        const c = await u.connect({ autoPong: false });
        return { stop: () => c.ws.terminate() };
      },
    },
    {
      how: 'stops reading its socket (a paused process, a closed lid)',
      open: async (u) => {
        const c = await u.connect();
        const tcp = (c.ws as unknown as { _socket: Socket })._socket;
        tcp.pause();
        return { stop: () => tcp.destroy() };
      },
    },
  ];

  for (const { how, open } of halfOpen) {
    it(`a client that ${how} is terminated: user_offline to others, its invitation withdrawn`, async () => {
      const alice = await newUser(svc, 'alice');
      const bob = await newUser(svc, 'bob');
      const watcher = await bob.connect();
      const half = await open(alice);
      // The half-open socket cannot be used, so a second tab invites and closes: the half-open one is her last.
      const tab = await alice.connect();
      tab.send('game_invite', { username: bob.name, client_id: randomUUID() });
      await watcher.nextAction('game_invite');
      await tab.close();
      const started = Date.now();
      const offline = await watcher.next((f) => f.action === 'user_offline' && f.data['username'] === alice.name, 5000);
      const elapsed = Date.now() - started;
      expect(offline.position).to.be.a('string');
      // Within one interval, one timeout and the timer's tick, with room for a loaded machine.
      expect(elapsed, 'time to user_offline').to.be.lessThan(PING_MS + PONG_MS + 1500);
      const canceled = await watcher.nextAction('game_invite_canceled');
      expect(canceled.data['username']).to.equal(alice.name);
      expect((await onlineNow(svc.service)).has(alice.id)).to.equal(false);
      half.stop();
      await watcher.close();
    });
  }
});
