import { expect } from 'chai';
import { backoffDelay } from '../../sdk/src/backoff.js';
import { ChatActionError, ConnectionLostError } from '../../sdk/src/errors.js';
import type { NewMessageData, ServerFrame, SocketLimits } from '../../sdk/src/frames.js';
import { ChatSocket, type SocketEvents } from '../../sdk/src/socket-client.js';
import { TokenSource } from '../../sdk/src/tokens.js';
import { FakeClock, FakeSocket, SERVER_LIMITS, fakeJwt, flush, type SentFrame } from './fakes.js';

const CHAT = '11111111-1111-4111-8111-111111111111';
const MSG = '22222222-2222-4222-8222-222222222222';

interface SetupOptions {
  readonly lifetimeS?: number;
  /** The `ready.limits` of every socket (`null`: none). */
  readonly limits?: SocketLimits | null;
  readonly framesPerSecond?: number;
  readonly burst?: number;
}

const setup = (o: SetupOptions = {}) => {
  FakeSocket.all = [];
  const clock = new FakeClock();
  const issued: string[] = [];
  const getToken = async () => {
    const token = fakeJwt({ sub: 'id-alice', username: 'alice', exp: Math.floor(clock.now() / 1000) + (o.lifetimeS ?? 3600), n: issued.length });
    issued.push(token);
    return token;
  };
  const client = new ChatSocket({
    url: 'ws://test/ws/events',
    WebSocket: FakeSocket,
    tokens: new TokenSource(getToken, clock, 60_000),
    clock,
    random: () => 0.5,
    ...(o.framesPerSecond === undefined ? {} : { framesPerSecond: o.framesPerSecond }),
    ...(o.burst === undefined ? {} : { burst: o.burst }),
  });
  const events = { reconnecting: [] as SocketEvents['reconnecting'][], resync: [] as SocketEvents['resync'][], frames: [] as ServerFrame[] };
  client.on('reconnecting', (v) => events.reconnecting.push(v));
  client.on('resync', (v) => events.resync.push(v));
  client.on('frame', (v) => events.frames.push(v));
  /** Opens the next socket with `ready` at these limits. */
  const accept = (position = '10') => FakeSocket.last.accept(position, 'alice', o.limits === undefined ? SERVER_LIMITS : o.limits);
  return { clock, client, issued, events, accept };
};

const connected = async (o: SetupOptions = {}) => {
  const s = setup(o);
  const ready = s.client.connect();
  await flush();
  s.accept('10');
  await ready;
  return s;
};

/** Drops the current socket and opens the next one after the first back-off delay (375 ms with random 0.5). */
const reconnect = async (s: { clock: FakeClock; accept: (position?: string) => void }, position = '10') => {
  const before = FakeSocket.all.length;
  FakeSocket.last.serverClose(1006);
  await s.clock.advance(375);
  expect(FakeSocket.all).to.have.length(before + 1);
  s.accept(position);
};

/** Settles to 'ok', or the error's code / class name, without waiting. */
const outcome = async (p: Promise<unknown>): Promise<string> => {
  let result = 'pending';
  p.then(
    () => (result = 'ok'),
    (e: unknown) => (result = e instanceof ChatActionError ? e.code : e instanceof Error ? e.name : 'thrown'),
  );
  await flush();
  return result;
};

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const messageFrame = (sent: Record<string, unknown>, extra: Partial<NewMessageData> = {}, position = '20') => ({
  action: 'new_message',
  position,
  data: {
    chat_id: sent['chat_id'],
    id: MSG,
    content: String(sent['content']).trim(),
    date: '2026-01-01T00:00:00.100Z',
    sender: 'alice',
    is_read: false,
    is_liked: false,
    timestamp: sent['timestamp'],
    ...extra,
  },
});

describe('sdk: ChatSocket', () => {
  // Every frame the SDK sends is a call of the test's with its own ref: no barrier, no frame of the SDK's own.
  afterEach(() => {
    const sent = FakeSocket.all.flatMap((s) => s.sent);
    for (const f of sent) {
      expect(f.action, 'no barrier').to.not.equal('user_online');
      expect(f.ref).to.be.a('string').with.length.within(1, 64);
    }
    for (const s of FakeSocket.all) expect(new Set(s.sent.map((f) => f.ref)).size, 'a fresh ref each').to.equal(s.sent.length);
  });

  describe('back-off', () => {
    it('waits half to all of min(max, base·2ⁿ), chosen by random()', () => {
      expect([0, 1, 2, 3].map((n) => backoffDelay(n, () => 0))).to.deep.equal([250, 500, 1000, 2000]);
      expect([0, 1, 2].map((n) => backoffDelay(n, () => 0.999999))).to.deep.equal([500, 1000, 2000]);
      expect(backoffDelay(20, () => 0, { maxMs: 10_000 })).to.equal(5000);
    });

    it('reconnects after growing delays on the injected clock while sockets fail, and starts over after a ready', async () => {
      const { clock, client, events } = setup();
      void client.connect();
      await flush();
      FakeSocket.last.serverClose(1006);
      expect(FakeSocket.all).to.have.length(1);
      await clock.advance(374);
      expect(FakeSocket.all).to.have.length(1);
      await clock.advance(1);
      expect(FakeSocket.all).to.have.length(2);
      FakeSocket.last.serverClose(1006);
      await clock.advance(749);
      expect(FakeSocket.all).to.have.length(2);
      await clock.advance(1);
      expect(FakeSocket.all).to.have.length(3);
      FakeSocket.last.serverClose(1006);
      await clock.advance(1500);
      expect(FakeSocket.all).to.have.length(4);
      FakeSocket.last.accept();
      FakeSocket.last.serverClose(1001);
      await clock.advance(375);
      expect(FakeSocket.all).to.have.length(5);
      expect(events.reconnecting.map((r) => r.delayMs)).to.deep.equal([375, 750, 1500, 375]);
    });

    it('stops on 3100 (a frame the server could not decode) and rejects what was pending', async () => {
      const { clock, client } = await connected();
      const sent = client.sendMessage(CHAT, 'hi');
      const closed = new Promise((r) => client.on('closed', r));
      FakeSocket.last.serverClose(3100, 'bad data');
      await clock.advance(60_000);
      expect(FakeSocket.all).to.have.length(1);
      expect(await closed).to.deep.equal({ code: 3100, reason: 'bad data' });
      expect(await sent.catch((e: unknown) => e)).to.be.instanceOf(ConnectionLostError);
    });
  });

  describe('resume', () => {
    it('reconnects with ?since= the last position seen, from ready and from frames', async () => {
      const { clock } = await connected();
      expect(FakeSocket.last.params.get('since')).to.equal(null);
      FakeSocket.last.serverClose(1006);
      await clock.advance(375);
      expect(FakeSocket.last.params.get('since')).to.equal('10');
      FakeSocket.last.accept('10');
      FakeSocket.last.push({ action: 'user_online', data: { username: 'bob' }, position: '12' });
      FakeSocket.last.push({ action: 'game_found', data: { game_id: MSG, opponent: 'bob', options: {} }, position: '13.1' });
      FakeSocket.last.push({ action: 'join_chat', data: { chat_id: CHAT } });
      FakeSocket.last.serverClose(1001);
      await clock.advance(375);
      expect(FakeSocket.last.params.get('since')).to.equal('13.1');
    });

    it('on resync_required tells the application to reload and continues from the new position', async () => {
      const { clock, events } = await connected();
      FakeSocket.last.serverClose(1006);
      await clock.advance(375);
      FakeSocket.last.accept('900');
      FakeSocket.last.push({ action: 'resync_required', data: { position: '900' } });
      expect(events.resync).to.deep.equal([{ position: '900' }]);
      FakeSocket.last.serverClose(1006);
      await clock.advance(375);
      expect(FakeSocket.last.params.get('since')).to.equal('900');
    });

    it('starts from a given since', async () => {
      FakeSocket.all = [];
      const clock = new FakeClock();
      const client = new ChatSocket({
        url: 'ws://test/ws/events',
        WebSocket: FakeSocket,
        tokens: new TokenSource(async () => fakeJwt({ exp: 2e9 }), clock, 0),
        clock,
        random: () => 0,
        since: '77',
      });
      void client.connect();
      await flush();
      expect(FakeSocket.last.params.get('since')).to.equal('77');
    });
  });

  describe('token refresh', () => {
    it('fetches a new token before exp and reopens the socket with it, resuming', async () => {
      const { clock, issued } = await connected({ lifetimeS: 120 });
      expect(issued).to.have.length(1);
      expect(FakeSocket.last.params.get('token')).to.equal(issued[0]);
      await clock.advance(59_000);
      expect(issued).to.have.length(1);
      await clock.advance(1_000);
      expect(issued).to.have.length(2);
      expect(FakeSocket.all[0]?.closedWith).to.equal(1000);
      expect(FakeSocket.all).to.have.length(2);
      expect(FakeSocket.last.params.get('token')).to.equal(issued[1]);
      expect(FakeSocket.last.params.get('since')).to.equal('10');
    });

    it('on close 3001 fetches a new token and reconnects at once', async () => {
      const { clock, issued } = await connected();
      FakeSocket.last.serverClose(3001, 'token expired');
      await clock.advance(0);
      expect(issued).to.have.length(2);
      expect(FakeSocket.all).to.have.length(2);
      expect(FakeSocket.last.params.get('token')).to.equal(issued[1]);
    });
  });

  describe('promise calls: answered by ref', () => {
    it('sendMessage sends a client_msg_id uuid with a ref, and resolves with the stored message from its ack', async () => {
      const { client, events } = await connected();
      const sent = client.sendMessage(CHAT, '  hello  ');
      const frame = FakeSocket.last.frame(0);
      expect(frame.action).to.equal('new_message');
      expect(frame.ref).to.be.a('string');
      expect(frame.data['client_msg_id']).to.match(UUID_V4);
      expect(frame.data).to.deep.equal({
        chat_id: CHAT,
        content: '  hello  ',
        timestamp: '2026-01-01T00:00:00.000Z',
        client_msg_id: frame.data['client_msg_id'],
      });
      // Its frame is an event like any other; the call waits for the ack.
      FakeSocket.last.push(messageFrame(frame.data, { client_msg_id: String(frame.data['client_msg_id']) }));
      expect(await outcome(sent)).to.equal('pending');
      FakeSocket.last.ack(frame, { position: '20', id: MSG, chat_id: CHAT, date: '2026-01-01T00:00:00.100Z' });
      expect(await sent).to.deep.equal({
        chat_id: CHAT,
        id: MSG,
        content: 'hello',
        date: '2026-01-01T00:00:00.100Z',
        sender: 'alice',
        is_read: false,
        is_liked: false,
        timestamp: '2026-01-01T00:00:00.000Z',
        client_msg_id: frame.data['client_msg_id'],
      });
      expect(events.frames.map((f) => f.action)).to.deep.equal(['ready', 'new_message']);
      expect(client.lastPosition).to.equal('20');
    });

    it('resolves without its new_message frame: the ack alone carries the stored message', async () => {
      const { client } = await connected();
      const sent = client.sendMessage(CHAT, 'no frame', '33333333-3333-4333-8333-333333333333');
      const frame = FakeSocket.last.frame(0);
      expect(frame.data['client_msg_id']).to.equal('33333333-3333-4333-8333-333333333333');
      FakeSocket.last.ack(frame, { id: MSG, chat_id: CHAT, date: '2026-01-01T00:00:01.000Z' });
      expect(await sent).to.include({ id: MSG, content: 'no frame', date: '2026-01-01T00:00:01.000Z', client_msg_id: '33333333-3333-4333-8333-333333333333' });
    });

    it('matches answers by ref whatever their order, never by order or content', async () => {
      const { client } = await connected();
      const a = client.sendMessage(CHAT, 'same');
      const b = client.sendMessage(CHAT, 'same');
      const liked = client.like(CHAT, MSG);
      const refused = client.like(CHAT, MSG);
      const read = client.markRead(MSG);
      const [fa, fb, fl, fr, fm] = [0, 1, 2, 3, 4].map((i) => FakeSocket.last.frame(i)) as [SentFrame, SentFrame, SentFrame, SentFrame, SentFrame];
      expect(new Set([fa, fb, fl, fr, fm].map((f) => f.ref)).size).to.equal(5);
      // Answered in reverse, a refusal among them.
      FakeSocket.last.ack(fm);
      FakeSocket.last.refuse(fr, 'cannot_like_own_message', 'no');
      FakeSocket.last.ack(fl);
      FakeSocket.last.ack(fb, { id: 'b-id', chat_id: CHAT, date: '2026-01-01T00:00:02.000Z' });
      expect(await outcome(a)).to.equal('pending');
      FakeSocket.last.ack(fa, { id: 'a-id', chat_id: CHAT, date: '2026-01-01T00:00:03.000Z' });
      expect((await a).id).to.equal('a-id');
      expect((await b).id).to.equal('b-id');
      await liked;
      await read;
      const err = await refused.catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ChatActionError);
      expect(err).to.include({ action: 'like_message', code: 'cannot_like_own_message', msg: 'no' });
    });

    it('rejects with ChatActionError on its own error, also for unavailable and internal_error (the caller decides)', async () => {
      const { client } = await connected();
      const blocked = client.sendMessage(CHAT, 'x');
      const unavailable = client.like(CHAT, MSG);
      const internal = client.readNotification(MSG);
      const fine = client.joinChat(CHAT);
      FakeSocket.last.refuse(FakeSocket.last.frame(1), 'unavailable');
      FakeSocket.last.refuse(FakeSocket.last.frame(0), 'blocked');
      FakeSocket.last.refuse(FakeSocket.last.frame(2), 'internal_error');
      expect(await outcome(blocked)).to.equal('blocked');
      expect(await outcome(unavailable)).to.equal('unavailable');
      expect(await outcome(internal)).to.equal('internal_error');
      expect(await outcome(fine)).to.equal('pending');
      // Nothing was sent again on its own, and the socket stays.
      expect(FakeSocket.last.sent).to.have.length(4);
      expect(FakeSocket.all).to.have.length(1);
    });

    it('an error or ack with no ref of its calls settles nothing and reaches the application', async () => {
      const { client, events } = await connected();
      const liked = client.like(CHAT, MSG);
      FakeSocket.last.push({ action: 'error', data: { for: 'like_message', code: 'forbidden', msg: 'not yours' } });
      FakeSocket.last.push({ action: 'ack', ref: 'zz-not-mine', data: { for: 'like_message' } });
      expect(await outcome(liked)).to.equal('pending');
      expect(events.frames.map((f) => f.action)).to.deep.equal(['ready', 'error', 'ack']);
      FakeSocket.last.ack(FakeSocket.last.frame(0));
      expect(await outcome(liked)).to.equal('ok');
      expect(events.frames.map((f) => f.action)).to.deep.equal(['ready', 'error', 'ack']);
    });

    it('rate_limited: sends that call again on its own, with a new ref, after 1/rate s, on the same socket', async () => {
      const { clock, client } = await connected({ limits: { rate_per_second: 10, burst: 5, max_frame_bytes: 65_536 } });
      const first = client.like(CHAT, MSG);
      const second = client.markRead(MSG);
      const [f1, f2] = [FakeSocket.last.frame(0), FakeSocket.last.frame(1)];
      FakeSocket.last.refuse(f1, 'rate_limited', 'Too many messages: slow down');
      FakeSocket.last.ack(f2);
      expect(await outcome(second)).to.equal('ok');
      expect(await outcome(first)).to.equal('pending');
      await clock.advance(99);
      expect(FakeSocket.last.sent).to.have.length(2);
      await clock.advance(1);
      expect(FakeSocket.last.sent).to.have.length(3);
      const again = FakeSocket.last.frame(2);
      expect(again).to.deep.include({ action: 'like_message', data: f1.data });
      expect(again.ref).to.not.equal(f1.ref);
      FakeSocket.last.ack(again);
      expect(await outcome(first)).to.equal('ok');
      expect(FakeSocket.all).to.have.length(1);
    });

    it('invitations carry this tab’s client_id and resolve on their acks', async () => {
      const { client } = await connected();
      const invited = client.invite('bob', { game_speed: 'fast' });
      const accepted = client.acceptInvite('carol');
      const declined = client.declineInvite('dave');
      const canceled = client.cancelInvite('bob');
      expect(FakeSocket.last.sent.map(({ action, data }) => ({ action, data }))).to.deep.equal([
        { action: 'game_invite', data: { username: 'bob', client_id: client.clientId, options: { game_speed: 'fast' } } },
        { action: 'reply_game_invite', data: { username: 'carol', accept: true } },
        { action: 'reply_game_invite', data: { username: 'dave', accept: false } },
        { action: 'cancel_game_invite', data: { username: 'bob' } },
      ]);
      for (const f of [...FakeSocket.last.sent].reverse()) FakeSocket.last.ack(f, { position: '30' });
      await Promise.all([invited, accepted, declined, canceled]);
    });

    it('calls made before the socket is ready are sent once it is', async () => {
      const { client, accept } = setup();
      const joined = client.joinChat(CHAT);
      await flush();
      expect(FakeSocket.last.sent).to.deep.equal([]);
      accept();
      expect(FakeSocket.last.sent).to.deep.equal([{ action: 'join_chat', ref: FakeSocket.last.frame(0).ref, data: { chat_id: CHAT } }]);
      FakeSocket.last.ack(FakeSocket.last.frame(0));
      await joined;
    });

    it('refuses locally a frame larger than max_frame_bytes (RangeError), which would close the socket', async () => {
      const { client } = await connected({ limits: { rate_per_second: 20, burst: 40, max_frame_bytes: 200 } });
      const big = client.notify('é'.repeat(100), 'info');
      const small = client.notify('hi', 'info');
      expect(await outcome(big)).to.equal('RangeError');
      expect(FakeSocket.last.sent.map((f) => f.data['message'])).to.deep.equal(['hi']);
      FakeSocket.last.ack(FakeSocket.last.frame(0));
      expect(await outcome(small)).to.equal('ok');
    });
  });

  describe('pacing: ready.limits', () => {
    it('sends a burst, then one frame per 1/rate s, at exactly the limits of ready (plus 2 ms for whole-millisecond clocks)', async () => {
      const { clock, client } = await connected({ limits: { rate_per_second: 5, burst: 5, max_frame_bytes: 65_536 } });
      expect(client.limits).to.deep.equal({ rate_per_second: 5, burst: 5, max_frame_bytes: 65_536 });
      const socket = FakeSocket.last;
      const answered = new Set<unknown>();
      const answerAll = () => socket.sent.filter((f) => !answered.has(f.ref)).forEach((f) => (answered.add(f.ref), socket.ack(f)));
      const calls = Array.from({ length: 12 }, () => client.like(CHAT, MSG));
      expect(socket.sent).to.have.length(5);
      answerAll();
      await clock.advance(201);
      expect(socket.sent).to.have.length(5);
      await clock.advance(1);
      expect(socket.sent).to.have.length(6);
      // Then one per 200 ms however fast the answers come.
      for (let t = 202; t < 1402; t += 200) {
        answerAll();
        await clock.advance(199);
        expect(socket.sent).to.have.length(6 + (t - 202) / 200);
        await clock.advance(1);
      }
      expect(socket.sent).to.have.length(12);
      answerAll();
      await Promise.all(calls);
    });

    it('counts from the answer of the frame a burst ago: the server may have read it as late as that', async () => {
      const { clock, client } = await connected({ limits: { rate_per_second: 5, burst: 2, max_frame_bytes: 65_536 } });
      for (let i = 0; i < 3; i++) void client.like(CHAT, MSG);
      await clock.advance(500);
      expect(FakeSocket.last.sent).to.have.length(2);
      FakeSocket.last.ack(FakeSocket.last.frame(0));
      await clock.advance(201);
      expect(FakeSocket.last.sent).to.have.length(2);
      await clock.advance(1);
      expect(FakeSocket.last.sent).to.have.length(3);
    });

    it('keeps at most burst calls unanswered at once, so the server’s queue stays within its bound', async () => {
      const s = await connected({ limits: { rate_per_second: 1000, burst: 3, max_frame_bytes: 65_536 } });
      const { clock, client } = s;
      for (let i = 0; i < 6; i++) void client.like(CHAT, MSG);
      await clock.advance(100);
      expect(FakeSocket.last.sent, 'time to spare, but 3 unanswered').to.have.length(3);
      // The frame a burst before the next must be answered, whatever came back after it.
      FakeSocket.last.ack(FakeSocket.last.frame(1));
      await clock.advance(100);
      expect(FakeSocket.last.sent).to.have.length(3);
      FakeSocket.last.ack(FakeSocket.last.frame(0));
      await clock.advance(2);
      expect(FakeSocket.last.sent).to.have.length(3);
      await clock.advance(1);
      expect(FakeSocket.last.sent).to.have.length(4);
      await clock.advance(1);
      expect(FakeSocket.last.sent).to.have.length(5);
      await clock.advance(100);
      expect(FakeSocket.last.sent, 'the third waits for frame 2’s answer').to.have.length(5);
    });

    it('uses its defaults (16/s, bursts of 32) when ready has no limits, and framesPerSecond / burst only as lower ceilings', async () => {
      const plain = await connected({ limits: null });
      for (let i = 0; i < 40; i++) void plain.client.like(CHAT, MSG);
      expect(FakeSocket.last.sent).to.have.length(32);
      expect(plain.client.limits).to.include({ rate_per_second: 16, burst: 32 });
      const capped = await connected({ burst: 10, framesPerSecond: 1000 });
      for (let i = 0; i < 40; i++) void capped.client.like(CHAT, MSG);
      expect(FakeSocket.last.sent).to.have.length(10);
      expect(capped.client.limits).to.include({ rate_per_second: 20, burst: 10 });
    });

    it('starts each socket with a full bucket at that socket’s limits', async () => {
      const s = await connected({ limits: { rate_per_second: 1, burst: 2, max_frame_bytes: 65_536 } });
      for (let i = 0; i < 6; i++) void s.client.like(CHAT, MSG);
      for (const f of FakeSocket.last.sent) FakeSocket.last.ack(f);
      expect(FakeSocket.last.sent).to.have.length(2);
      await reconnect(s);
      expect(FakeSocket.last.sent).to.have.length(2);
    });
  });

  describe('exactly-once sends across reconnects', () => {
    it('re-sends a message left unanswered by a dropped socket after the next ready, same client_msg_id, new ref; resolves once with the original', async () => {
      const s = await connected();
      const sent = s.client.sendMessage(CHAT, 'again');
      let settled = 0;
      void sent.then(() => settled++);
      const original = FakeSocket.last.frame(0);
      FakeSocket.last.serverClose(1006);
      await s.clock.advance(375);
      expect(FakeSocket.last.sent, 'nothing before ready').to.deep.equal([]);
      s.accept('10');
      const resent = FakeSocket.last.frame(0);
      expect(resent.data).to.deep.equal(original.data);
      expect(resent.ref).to.not.equal(original.ref);
      FakeSocket.last.ack(resent, { id: MSG, chat_id: CHAT, date: '2026-01-01T00:00:00.100Z' });
      expect((await sent).id).to.equal(MSG);
      await flush();
      expect(settled).to.equal(1);
    });

    it('emits a re-sent message’s frame once when the server sends it again with its ack, and keeps its position', async () => {
      const s = await connected();
      const sent = s.client.sendMessage(CHAT, 'seen');
      const original = FakeSocket.last.frame(0);
      const frame = messageFrame(original.data, { client_msg_id: String(original.data['client_msg_id']) }, '20');
      FakeSocket.last.push(frame);
      await reconnect(s, '20');
      FakeSocket.last.push({ action: 'new_message', position: '25', data: { ...frame.data, id: CHAT, client_msg_id: 'another' } });
      FakeSocket.last.push(frame);
      FakeSocket.last.ack(FakeSocket.last.frame(0), { id: MSG, chat_id: CHAT, date: frame.data.date });
      expect((await sent).id).to.equal(MSG);
      expect(s.events.frames.filter((f) => f.action === 'new_message').map((f) => f.position)).to.deep.equal(['20', '25']);
      expect(s.client.lastPosition).to.equal('25');
    });

    it('does not send again a call that was answered before the socket dropped', async () => {
      const s = await connected();
      const sent = s.client.sendMessage(CHAT, 'taken');
      const liked = s.client.like(CHAT, MSG);
      FakeSocket.last.ack(FakeSocket.last.frame(0), { id: MSG, chat_id: CHAT, date: '2026-01-01T00:00:00.100Z' });
      FakeSocket.last.ack(FakeSocket.last.frame(1));
      await reconnect(s);
      expect(FakeSocket.last.sent).to.deep.equal([]);
      expect((await sent).id).to.equal(MSG);
      await liked;
    });

    it('re-sends repeatable calls, rejects unanswered others with ConnectionLostError, and keeps those never sent', async () => {
      const s = await connected({ limits: { rate_per_second: 20, burst: 2, max_frame_bytes: 65_536 } });
      const liked = s.client.like(CHAT, MSG);
      const invited = s.client.invite('bob');
      const canceled = s.client.cancelInvite('carol');
      expect(FakeSocket.last.sent.map((f) => f.action)).to.deep.equal(['like_message', 'game_invite']);
      FakeSocket.last.serverClose(1006);
      expect(await outcome(invited)).to.equal('ConnectionLostError');
      expect(await outcome(canceled)).to.equal('pending');
      await s.clock.advance(375);
      s.accept('10');
      expect(FakeSocket.last.sent.map((f) => f.action)).to.deep.equal(['like_message', 'cancel_game_invite']);
      for (const f of FakeSocket.last.sent) FakeSocket.last.ack(f);
      await liked;
      await canceled;
    });

    it('a resync does not disturb the calls: a re-sent message resolves from its ack', async () => {
      const s = await connected();
      const sent = s.client.sendMessage(CHAT, 'through a resync');
      await reconnect(s, '900');
      FakeSocket.last.push({ action: 'resync_required', data: { position: '900' } });
      expect(s.events.resync).to.have.length(1);
      FakeSocket.last.ack(FakeSocket.last.frame(0), { id: MSG, chat_id: CHAT, date: '2026-01-01T00:00:00.100Z' });
      expect((await sent).content).to.equal('through a resync');
    });
  });

  describe('token refresh with calls in flight', () => {
    it('waits for their answers before reopening the socket, so none is lost to the refresh', async () => {
      const { clock, client } = await connected({ lifetimeS: 120 });
      const invited = client.invite('bob');
      await clock.advance(60_000);
      expect(FakeSocket.all).to.have.length(1);
      const later = client.like(CHAT, MSG);
      expect(
        FakeSocket.last.sent.map((f) => f.action),
        'nothing new on the socket being replaced',
      ).to.deep.equal(['game_invite']);
      FakeSocket.last.ack(FakeSocket.last.frame(0));
      expect(await outcome(invited)).to.equal('ok');
      expect(FakeSocket.all[0]?.closedWith).to.equal(1000);
      await clock.advance(0);
      expect(FakeSocket.all).to.have.length(2);
      FakeSocket.last.accept('10');
      expect(FakeSocket.last.sent.map((f) => f.action)).to.deep.equal(['like_message']);
      FakeSocket.last.ack(FakeSocket.last.frame(0));
      expect(await outcome(later)).to.equal('ok');
    });
  });

  it('opts in to batched presence and keeps its map from presence_state / presence_diff, a fresh state replacing it on every socket', async () => {
    const { client, clock } = await connected();
    expect(FakeSocket.last.params.get('presence')).to.equal('batched');
    const changes: string[][] = [];
    client.on('presence', (users) => changes.push([...users].sort()));
    FakeSocket.last.push({ action: 'presence_state', data: { online: ['bob', 'carol'] } });
    FakeSocket.last.push({ action: 'presence_diff', data: { online: ['dan'], offline: ['bob'] } });
    FakeSocket.last.push({ action: 'presence_diff', data: { online: ['dan'], offline: ['zed'] } });
    expect(changes).to.deep.equal([
      ['bob', 'carol'],
      ['carol', 'dan'],
    ]);
    // A resumed socket gets a fresh state (no replayed presence): it replaces the map.
    FakeSocket.last.serverClose(1006);
    await clock.advance(375);
    expect(FakeSocket.last.params.get('presence')).to.equal('batched');
    FakeSocket.last.accept('10');
    FakeSocket.last.push({ action: 'presence_state', data: { online: ['erin'] } });
    expect(client.presence.isOnline('carol')).to.equal(false);
    expect([...client.presence.users]).to.deep.equal(['erin']);
    expect(changes).to.have.length(3);
  });

  it('keeps a presence map from user_online / user_offline', async () => {
    const { client } = await connected();
    const changes: string[][] = [];
    client.on('presence', (users) => changes.push([...users]));
    FakeSocket.last.push({ action: 'user_online', data: { username: 'bob' }, position: '11' });
    FakeSocket.last.push({ action: 'user_online', data: { username: 'carol' }, position: '12' });
    FakeSocket.last.push({ action: 'user_online', data: { username: 'bob' }, position: '13' });
    FakeSocket.last.push({ action: 'user_offline', data: { username: 'bob' }, position: '14' });
    expect(client.presence.isOnline('carol')).to.equal(true);
    expect(client.presence.isOnline('bob')).to.equal(false);
    expect(changes).to.deep.equal([['bob'], ['bob', 'carol'], ['carol']]);
  });

  it('hides the answers to its own calls from the application', async () => {
    const { client } = await connected();
    const frames: string[] = [];
    client.on('frame', (f) => frames.push(f.action));
    void client.like(CHAT, MSG).catch(() => {});
    void client.like(CHAT, MSG);
    FakeSocket.last.refuse(FakeSocket.last.frame(0), 'cannot_like_own_message');
    FakeSocket.last.ack(FakeSocket.last.frame(1));
    FakeSocket.last.push({ action: 'notification', data: { message: 'm', type: 't' }, position: '11' });
    expect(frames).to.deep.equal(['notification']);
  });
});
