import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import WebSocket from 'ws';
import { asRecord, chatBetween, newUser, serviceFixture, sleep, uniq, type User } from './support.js';

interface Received {
  readonly frames: Record<string, unknown>[];
  readonly closed: Promise<number>;
}

/** A raw socket that writes `frames` the moment it opens, before any `ready` can have come, and records everything it gets. */
const burstOnOpen = (url: string, frames: readonly string[]): Received => {
  const ws = new WebSocket(url);
  const received: Record<string, unknown>[] = [];
  ws.on('message', (data) => received.push(asRecord(JSON.parse(data.toString()))));
  ws.once('open', () => {
    for (const f of frames) ws.send(f);
  });
  return { frames: received, closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))) };
};

/** Generous: a loaded 2-core machine may take seconds to answer; the test is about refusals, not speed. */
const WAIT_MS = 15_000;

describe('WebSocket: the socket is ready for others at the 101, and answers nothing before `ready`', function () {
  this.timeout(120_000);
  // The inviter sends two frames a round, faster than the flood limit: that is not what is tested here.
  const fx = serviceFixture({ invites: { rateMax: 10_000 }, ws: { ratePerSecond: 1000, rateBurst: 1000 } });

  it('50 rounds: a socket opens, and at once another client opens a chat with it and invites it, under load: never "no such user"', async () => {
    const { svc } = fx;
    const inviter = await newUser(svc, 'inviter');
    const inviterSocket = fx.keep(await inviter.connectReady());
    // Load on the same node meanwhile: two users exchanging messages as fast as their sockets are answered.
    const [a, b] = [await newUser(svc, 'loada'), await newUser(svc, 'loadb')];
    const loadChat = await chatBetween(a, b);
    const loadSocket = fx.keep(await a.connectReady());
    let loading = true;
    const load = (async () => {
      for (let i = 0; loading; i++) {
        loadSocket.send('new_message', { chat_id: loadChat, content: `load ${i}`, timestamp: new Date().toISOString() });
        await loadSocket.next((f) => f.action === 'new_message' && f.data['content'] === `load ${i}`, WAIT_MS);
        // Under the socket's flood limit (20 frames/s).
        await sleep(60);
      }
    })();

    const refusals: string[] = [];
    try {
      for (let round = 0; round < 50; round++) {
        const name = uniq('fresh');
        // Resolves on the 101, before `ready`.
        const socket = fx.keep(await svc.connect(name, { awaitReady: false }));
        const [opened, invited] = await Promise.all([
          svc.http('PUT', `/api/chats/${name}`, { token: inviter.token }),
          (async () => {
            inviterSocket.send('game_invite', { username: name, client_id: randomUUID() });
            // Taken: the invitee's socket gets it (once ready); refused: the inviter gets an error.
            return Promise.race([
              inviterSocket.next((f) => f.action === 'error' && f.data['for'] === 'game_invite', WAIT_MS),
              socket.next((f) => f.action === 'game_invite' && f.data['username'] === inviter.name, WAIT_MS),
            ]);
          })(),
        ]);
        if (opened.status !== 201) refusals.push(`round ${round}: PUT /api/chats/${name} answered ${opened.status} ${JSON.stringify(opened.body)}`);
        if (invited.action === 'error') refusals.push(`round ${round}: game_invite refused ${JSON.stringify(invited.data)}`);
        inviterSocket.send('cancel_game_invite', { username: name });
        await inviterSocket.next((f) => f.action === 'game_invite_canceled' && f.data['username'] === name, WAIT_MS);
        await socket.close();
      }
    } finally {
      loading = false;
      await load;
    }
    expect(refusals).to.deep.equal([]);
  });
});

describe('WebSocket: frames written before `ready` wait for it, within the default flood limits', function () {
  this.timeout(120_000);
  const fx = serviceFixture();

  it('bursts of 45 frames written at the open, 20 sockets at once: `ready` first every time, then every accepted frame answered in order', async () => {
    const { svc } = fx;
    const users: User[] = await Promise.all(Array.from({ length: 20 }, () => newUser(svc, 'burst')));
    const burst = Array.from({ length: 45 }, (_, i) => JSON.stringify({ action: 'notification', data: { message: `m${i}`, type: 'burst' } }));
    const runs = users.map((u) => burstOnOpen(`${svc.wsUrl}?token=${u.token}`, burst));
    const codes = await Promise.all(runs.map((r) => r.closed));
    for (const [i, run] of runs.entries()) {
      const actions = run.frames.map((f) => String(f['action']));
      expect(actions[0], `socket ${i}: ${actions.slice(0, 3).join(', ')}`).to.equal('ready');
      const echoed = run.frames.filter((f) => f['action'] === 'notification').map((f) => Number(String(asRecord(f['data'])['message']).slice(1)));
      const limited = run.frames.filter((f) => f['action'] === 'error' && asRecord(f['data'])['code'] === 'rate_limited');
      // The bucket holds 40 at once; the 4th refusal past it closes with 1008, after what came before it.
      expect(echoed.length, `socket ${i}`).to.be.at.least(40);
      expect(echoed, `socket ${i}: answered in order`).to.deep.equal([...echoed].sort((x, y) => x - y));
      expect(limited.length, `socket ${i}`).to.be.at.most(3);
      // Nothing accepted was dropped: every frame is echoed, refused, or came after the close was decided.
      const refusedOrLater = 45 - echoed.length;
      expect(refusedOrLater, `socket ${i}`).to.be.at.least(limited.length);
      if (refusedOrLater > limited.length) expect(codes[i], `socket ${i}`).to.equal(1008);
      else expect(codes[i], `socket ${i}: nothing refused past the warnings, so it stayed open until the test closed it`).to.not.equal(1008);
    }
  });

  it('a burst within the limits before `ready` is answered whole after it, and the socket stays open', async () => {
    const { svc } = fx;
    const user = await newUser(svc, 'calm');
    const burst = Array.from({ length: 30 }, (_, i) => JSON.stringify({ action: 'notification', data: { message: `c${i}`, type: 'burst' } }));
    const ws = new WebSocket(`${svc.wsUrl}?token=${user.token}`);
    const frames: Record<string, unknown>[] = [];
    const all = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        frames.push(asRecord(JSON.parse(data.toString())));
        if (frames.filter((f) => f['action'] === 'notification').length === 30) resolve();
      }),
    );
    ws.once('open', () => burst.forEach((f) => ws.send(f)));
    await all;
    expect(frames[0]?.['action']).to.equal('ready');
    expect(frames.filter((f) => f['action'] === 'notification').map((f) => asRecord(f['data'])['message'])).to.deep.equal(burst.map((_, i) => `c${i}`));
    expect(ws.readyState).to.equal(WebSocket.OPEN);
    ws.close();
  });
});
