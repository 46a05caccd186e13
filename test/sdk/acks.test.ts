import { expect } from 'chai';
import WebSocket from 'ws';
import { ChatClient } from '../../sdk/src/client.js';
import { ChatActionError } from '../../sdk/src/errors.js';
import type { NewMessageData, ServerFrame } from '../../sdk/src/frames.js';
import type { WebSocketConstructor } from '../../sdk/src/platform.js';
import { TokenBucket } from '../../src/interfaces/ws/rate-limiter.js';
import { AckServer, CHAT_ID, type AckServerOptions } from './ack-server.js';
import { fakeJwt } from './fakes.js';

const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Settles every promise, counting how often each one's callbacks ran. */
const settleAll = async <T>(calls: readonly Promise<T>[]) => {
  const counts = calls.map(() => 0);
  const count = (i: number) => (counts[i] = (counts[i] ?? 0) + 1);
  const results = await Promise.all(
    calls.map((p, i) =>
      p.then(
        (value) => (count(i), { ok: true as const, value }),
        (error: unknown) => (count(i), { ok: false as const, error }),
      ),
    ),
  );
  return { results, counts };
};

describe('sdk: ChatClient against a fake server that keeps the ack contract (real sockets)', function () {
  this.timeout(20_000);
  let server: AckServer;
  const clients: ChatClient[] = [];
  const start = async (o: AckServerOptions) => (server = await AckServer.start(o));
  const client = (frames: ServerFrame[] = []) => {
    const c = new ChatClient({
      baseUrl: server.url,
      getToken: async () => fakeJwt({ sub: 'id-alice', username: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 }),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: { baseMs: 20, maxMs: 100 },
    });
    c.on('frame', (f) => frames.push(f));
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    if (server === undefined) return;
    await server.stop();
    // Whatever the test, the fake saw calls only: each with a ref of its own, never a barrier.
    expect(server.received.filter((f) => typeof f.ref !== 'string')).to.deep.equal([]);
    expect(server.received.filter((f) => f.action === 'user_online')).to.deep.equal([]);
    expect(new Set(server.received.map((f) => `${f.socket}/${String(f.ref)}`)).size, 'refs unique per socket').to.equal(server.received.length);
  });

  it('200 concurrent calls on one socket, answered in random order: each settles once, with its own outcome', async () => {
    // Likes of odd-numbered messages are refused: an answer matched by order would land on the wrong call.
    await start({
      shuffle: true,
      limits: { rate_per_second: 1000, burst: 200, max_frame_bytes: 65_536 },
      refuse: (f) => (f.action === 'like_message' && Number(String(f.data['id']).slice(-12)) % 2 === 1 ? 'cannot_like_own_message' : undefined),
    });
    const c = client();
    await c.connect();
    const calls: Promise<NewMessageData | void>[] = [];
    for (let i = 0; i < 200; i++) calls.push(i % 2 === 0 ? c.sendMessage(CHAT_ID, `m${i}`) : c.like(CHAT_ID, uuid(i >> 1)));
    const { results, counts } = await settleAll(calls);
    await new Promise((r) => setTimeout(r, 100));
    expect(counts.every((n) => n === 1)).to.equal(true);
    expect(server.connections).to.have.length(1);
    expect(server.received, 'each call sent once').to.have.length(200);
    const storedId = new Map(server.stored.map((m) => [m.frame.data['content'], m.frame.data['id']]));
    results.forEach((r, i) => {
      if (i % 2 === 0) {
        expect(r.ok, `message ${i}`).to.equal(true);
        const m = r.ok ? (r.value as NewMessageData) : undefined;
        expect(m?.content).to.equal(`m${i}`);
        expect(m?.id, `message ${i} has the id stored for it`).to.equal(storedId.get(`m${i}`));
      } else if ((i >> 1) % 2 === 1) {
        expect(r.ok ? undefined : r.error, `like ${i}`)
          .to.be.instanceOf(ChatActionError)
          .and.include({ code: 'cannot_like_own_message' });
      } else expect(r.ok, `like ${i}`).to.equal(true);
    });
  });

  it('paces at ready.limits: a server at 5/s, bursts of 5, never sees more (its own bucket never refuses)', async () => {
    await start({ limits: { rate_per_second: 5, burst: 5, max_frame_bytes: 65_536 } });
    const c = client();
    await c.connect();
    const began = Date.now();
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? c.sendMessage(CHAT_ID, `p${i}`) : c.markRead(uuid(i)))));
    expect(server.rateRefusals).to.deep.equal([]);
    expect(server.received).to.have.length(12);
    // Replayed on a fresh bucket of the same figures: every arrival conforms.
    const bucket = new TokenBucket(5, 5, server.received[0]?.at ?? 0);
    expect(server.received.map((f) => bucket.take(f.at))).to.not.include(false);
    // 5 at once, then 7 more at 5/s.
    expect(Date.now() - began).to.be.at.least(1400);
  });

  it('a rate_limited refusal (a server stricter than it says) is sent again by ref on the same socket, and the call resolves', async () => {
    await start({ limits: { rate_per_second: 20, burst: 6, max_frame_bytes: 65_536 }, enforced: { rate: 20, burst: 4 }, warnings: 10 });
    const c = client();
    await c.connect();
    const calls = Array.from({ length: 6 }, (_, i) => c.sendMessage(CHAT_ID, `r${i}`));
    const stored = await Promise.all(calls);
    expect(server.rateRefusals.length).to.be.at.least(1);
    expect(server.connections).to.have.length(1);
    // Every refused frame went again with the same data under a new ref, and each message is stored once.
    for (const refused of server.rateRefusals) {
      const again = server.received.filter((f) => f.data['client_msg_id'] === refused.data['client_msg_id']);
      expect(again.map((f) => f.ref))
        .to.have.length.at.least(2)
        .and.satisfy((refs: unknown[]) => new Set(refs).size === refs.length);
    }
    expect(server.stored.map((m) => m.frame.data['content']).sort()).to.deep.equal(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    expect(stored.map((m) => m.content)).to.deep.equal(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('sockets cut after storing, before the ack: pending messages go again with the same client_msg_id and resolve once with the original id', async () => {
    await start({ cutAfterStoring: [3, 7], limits: { rate_per_second: 1000, burst: 4, max_frame_bytes: 65_536 } });
    const frames: ServerFrame[] = [];
    const c = client(frames);
    await c.connect();
    const { results, counts } = await settleAll(Array.from({ length: 10 }, (_, i) => c.sendMessage(CHAT_ID, `cut${i}`)));
    await new Promise((r) => setTimeout(r, 100));
    expect(counts.every((n) => n === 1)).to.equal(true);
    expect(server.connections.length, 'reconnected after each cut').to.equal(3);
    // Stored once each, and each call resolved with the message stored for its own client_msg_id.
    expect(server.stored).to.have.length(10);
    const byClientMsgId = new Map(server.stored.map((m) => [m.frame.data['client_msg_id'], m.frame.data['id']]));
    for (const r of results) {
      if (!r.ok) throw r.error;
      expect(r.value.id).to.equal(byClientMsgId.get(r.value.client_msg_id));
    }
    // The cut ones were sent again under the same client_msg_id.
    const sends = server.received.filter((f) => f.action === 'new_message');
    const perId = new Map<unknown, number>();
    for (const f of sends) perId.set(f.data['client_msg_id'], (perId.get(f.data['client_msg_id']) ?? 0) + 1);
    expect([...perId.values()].some((n) => n > 1)).to.equal(true);
    expect(perId.size).to.equal(10);
    // The application saw each message's frame once (a repeat's frame again is not passed on).
    const seen = frames.flatMap((f) => (f.action === 'new_message' ? [f.data.id] : []));
    expect(seen.slice().sort()).to.deep.equal([...new Set(seen)].sort());
    expect(new Set(seen).size).to.equal(10);
  });

  it('refusals reject with ChatActionError and leave the socket and the other calls alone', async () => {
    await start({ refuse: (f) => (f.action === 'game_invite' ? 'invitation_pending' : f.action === 'join_chat' ? 'unavailable' : undefined) });
    const c = client();
    await c.connect();
    const [invited, joined, liked] = await Promise.allSettled([c.invite('bob'), c.joinChat(CHAT_ID), c.like(CHAT_ID, uuid(1))]);
    expect(invited.status === 'rejected' ? invited.reason : undefined)
      .to.be.instanceOf(ChatActionError)
      .and.include({ action: 'game_invite', code: 'invitation_pending' });
    expect(joined.status === 'rejected' ? joined.reason : undefined).to.include({ action: 'join_chat', code: 'unavailable' });
    expect(liked.status).to.equal('fulfilled');
    expect(server.connections).to.have.length(1);
    expect(server.received).to.have.length(3);
  });
});
