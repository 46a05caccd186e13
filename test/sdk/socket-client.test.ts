import { expect } from 'chai';
import { backoffDelay } from '../../sdk/src/backoff.js';
import { ChatActionError, ConnectionLostError } from '../../sdk/src/errors.js';
import type { NewMessageData } from '../../sdk/src/frames.js';
import { ChatSocket, type SocketEvents } from '../../sdk/src/socket-client.js';
import { TokenSource } from '../../sdk/src/tokens.js';
import { FakeClock, FakeSocket, fakeJwt, flush } from './fakes.js';

const CHAT = '11111111-1111-4111-8111-111111111111';
const MSG = '22222222-2222-4222-8222-222222222222';

const setup = (o: { lifetimeS?: number } = {}) => {
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
  });
  const events = { reconnecting: [] as SocketEvents['reconnecting'][], resync: [] as SocketEvents['resync'][] };
  client.on('reconnecting', (v) => events.reconnecting.push(v));
  client.on('resync', (v) => events.resync.push(v));
  return { clock, client, issued, events };
};

const connected = async (o: { lifetimeS?: number } = {}) => {
  const s = setup(o);
  const ready = s.client.connect();
  await flush();
  FakeSocket.last.accept('10');
  await ready;
  return s;
};

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

  describe('promise calls', () => {
    it('sendMessage sends a client_msg_id uuid and resolves with its own new_message frame', async () => {
      const { client } = await connected();
      const sent = client.sendMessage(CHAT, '  hello  ');
      const [frame] = FakeSocket.last.actions;
      expect(frame?.action).to.equal('new_message');
      expect(frame?.data['client_msg_id']).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Another message with the same content, not ours (another timestamp), does not resolve it.
      FakeSocket.last.push(messageFrame({ ...frame?.data, timestamp: '2020-01-01T00:00:00Z' }, { id: CHAT }, '19'));
      FakeSocket.last.push(messageFrame(frame?.data ?? {}));
      const stored = await sent;
      expect(stored.id).to.equal(MSG);
      expect(stored.content).to.equal('hello');
      expect(client.lastPosition).to.equal('20');
    });

    it('matches by client_msg_id when the server echoes it', async () => {
      const { client } = await connected();
      const a = client.sendMessage(CHAT, 'same');
      const b = client.sendMessage(CHAT, 'same');
      const [fa, fb] = FakeSocket.last.actions;
      FakeSocket.last.push(messageFrame(fb?.data ?? {}, { id: CHAT, client_msg_id: String(fb?.data['client_msg_id']) }, '21'));
      FakeSocket.last.push(messageFrame(fa?.data ?? {}, { client_msg_id: String(fa?.data['client_msg_id']) }, '22'));
      expect((await a).id).to.equal(MSG);
      expect((await b).id).to.equal(CHAT);
    });

    it('an error before the barrier rejects that call only; the barrier resolves the others', async () => {
      const { client } = await connected();
      const ok = client.like(CHAT, MSG);
      const refused = client.like(CHAT, MSG);
      const later = client.markRead(MSG);
      expect(FakeSocket.last.sent.map((f) => f.action)).to.deep.equal([
        'like_message',
        'user_online',
        'like_message',
        'user_online',
        'read_message',
        'user_online',
      ]);
      FakeSocket.last.answerBarrier();
      FakeSocket.last.push({ action: 'error', data: { for: 'like_message', code: 'cannot_like_own_message', msg: 'no' } });
      FakeSocket.last.answerBarrier();
      await ok;
      const err = await refused.catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ChatActionError);
      expect(err).to.include({ action: 'like_message', code: 'cannot_like_own_message', msg: 'no' });
      let settled = false;
      void later.then(() => (settled = true));
      await flush();
      expect(settled).to.equal(false);
      FakeSocket.last.answerBarrier();
      await later;
    });

    it('sendMessage rejects on its error frame, even while an earlier message’s frame is still on its way', async () => {
      const { client } = await connected();
      const first = client.sendMessage(CHAT, 'one');
      const second = client.sendMessage(CHAT, 'two');
      const [f1] = FakeSocket.last.actions;
      FakeSocket.last.answerBarrier();
      FakeSocket.last.push({ action: 'error', data: { for: 'new_message', code: 'blocked', msg: 'blocked' } });
      FakeSocket.last.answerBarrier();
      expect(await second.catch((e: unknown) => e)).to.include({ code: 'blocked' });
      FakeSocket.last.push(messageFrame(f1?.data ?? {}));
      expect((await first).content).to.equal('one');
    });

    it('invitations carry this tab’s client_id and resolve on the barrier', async () => {
      const { client } = await connected();
      const invited = client.invite('bob', { game_speed: 'fast' });
      const accepted = client.acceptInvite('carol');
      const declined = client.declineInvite('dave');
      const canceled = client.cancelInvite('bob');
      const actions = FakeSocket.last.actions;
      expect(actions).to.deep.equal([
        { action: 'game_invite', data: { username: 'bob', client_id: client.clientId, options: { game_speed: 'fast' } } },
        { action: 'reply_game_invite', data: { username: 'carol', accept: true } },
        { action: 'reply_game_invite', data: { username: 'dave', accept: false } },
        { action: 'cancel_game_invite', data: { username: 'bob' } },
      ]);
      for (let i = 0; i < 4; i++) FakeSocket.last.answerBarrier();
      await Promise.all([invited, accepted, declined, canceled]);
    });

    it('calls made before the socket is ready are sent once it is', async () => {
      const { client } = setup();
      const joined = client.joinChat(CHAT);
      await flush();
      expect(FakeSocket.last.sent).to.deep.equal([]);
      FakeSocket.last.accept();
      expect(FakeSocket.last.actions).to.deep.equal([{ action: 'join_chat', data: { chat_id: CHAT } }]);
      FakeSocket.last.answerBarrier();
      await joined;
    });

    it('paces its frames under the server’s flood control', async () => {
      const { clock, client } = await connected();
      for (let i = 0; i < 20; i++) void client.like(CHAT, MSG);
      expect(FakeSocket.last.sent).to.have.length(32);
      await clock.advance(125);
      expect(FakeSocket.last.sent).to.have.length(34);
      await clock.advance(500);
      expect(FakeSocket.last.sent).to.have.length(40);
    });
  });

  describe('exactly-once sends across reconnects', () => {
    it('re-sends an unacknowledged message with the same client_msg_id after the replay, and resolves on its frame', async () => {
      const { clock, client } = await connected();
      const sent = client.sendMessage(CHAT, 'again');
      const original = FakeSocket.last.actions[0];
      FakeSocket.last.serverClose(1006);
      await clock.advance(375);
      FakeSocket.last.accept('10');
      // First only a barrier: the replay must be seen before deciding to send again.
      expect(FakeSocket.last.sent.map((f) => f.action)).to.deep.equal(['user_online']);
      FakeSocket.last.answerBarrier();
      expect(FakeSocket.last.actions).to.deep.equal([original]);
      FakeSocket.last.answerBarrier();
      FakeSocket.last.push(messageFrame(original?.data ?? {}));
      expect((await sent).content).to.equal('again');
    });

    it('does not send again a message whose frame the replay shows', async () => {
      const { clock, client } = await connected();
      const sent = client.sendMessage(CHAT, 'once');
      const original = FakeSocket.last.actions[0];
      FakeSocket.last.serverClose(1006);
      await clock.advance(375);
      FakeSocket.last.accept('10');
      FakeSocket.last.push(messageFrame(original?.data ?? {}, {}, '11'));
      FakeSocket.last.answerBarrier();
      expect((await sent).content).to.equal('once');
      expect(FakeSocket.last.actions).to.deep.equal([]);
    });

    it('does not send again a message the server took (barrier answered), waiting for its frame', async () => {
      const { clock, client } = await connected();
      const sent = client.sendMessage(CHAT, 'taken');
      const original = FakeSocket.last.actions[0];
      FakeSocket.last.answerBarrier();
      FakeSocket.last.serverClose(1006);
      await clock.advance(375);
      FakeSocket.last.accept('10');
      FakeSocket.last.answerBarrier();
      expect(FakeSocket.last.actions).to.deep.equal([]);
      FakeSocket.last.push(messageFrame(original?.data ?? {}, {}, '11'));
      expect((await sent).content).to.equal('taken');
    });

    it('re-sends repeatable calls; rejects the others with ConnectionLostError', async () => {
      const { clock, client } = await connected();
      const liked = client.like(CHAT, MSG);
      const invited = client.invite('bob');
      FakeSocket.last.serverClose(1006);
      expect(await invited.catch((e: unknown) => e)).to.be.instanceOf(ConnectionLostError);
      await clock.advance(375);
      FakeSocket.last.accept('10');
      expect(FakeSocket.last.actions.map((a) => a.action)).to.deep.equal(['like_message']);
      FakeSocket.last.answerBarrier();
      await liked;
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

  it('hides barrier answers from the application', async () => {
    const { client } = await connected();
    const frames: string[] = [];
    client.on('frame', (f) => frames.push(f.action));
    void client.like(CHAT, MSG);
    FakeSocket.last.answerBarrier();
    FakeSocket.last.push({ action: 'notification', data: { message: 'm', type: 't' }, position: '11' });
    expect(frames).to.deep.equal(['notification']);
  });
});
