import { expect } from 'chai';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { chatBetween, drain, newUser, ping, serviceFixture, type User } from './support.js';

const presenceOf = (username: string) => (f: ReceivedFrame) => (f.action === 'user_online' || f.action === 'user_offline') && f.data['username'] === username;

/** The presence frames about `username` that reached `client` so far (after a barrier). */
const presenceFramesAbout = async (client: TestClient, username: string): Promise<ReceivedFrame[]> => {
  await ping(client);
  return (await drain(client)).filter(presenceOf(username));
};

/** A position the client has seen everything up to: its own barrier's (an event's position). */
const lastPosition = async (client: TestClient): Promise<string> => {
  const tag = `barrier-${Math.random()}`;
  client.send('notification', { message: tag, type: 'ping' });
  const echo = await client.next((x) => x.action === 'notification' && x.data['message'] === tag);
  expect(echo.position).to.be.a('string');
  return echo.position as string;
};

/** A friendship announced by `from` (a socket of its own, closed after). */
const befriend = async (from: User, to: User): Promise<void> => {
  const socket = await from.connectReady();
  socket.send('add_new_friend', { sender_id: from.id, receiver_id: to.id });
  await ping(socket);
  await socket.close();
};

/** alice, with a chat peer, a friend, a stranger, and a chat peer she blocked. */
const cast = async (svc: TestService) => {
  const alice = await newUser(svc, 'alice');
  const peer = await newUser(svc, 'peer');
  const friend = await newUser(svc, 'friend');
  const stranger = await newUser(svc, 'stranger');
  const blocked = await newUser(svc, 'blocked');
  await chatBetween(alice, peer);
  await befriend(friend, alice);
  await chatBetween(blocked, alice);
  expect((await alice.http('PUT', `/api/blocks/${blocked.name}`)).status).to.be.oneOf([200, 201, 204]);
  return { alice, peer, friend, stranger, blocked };
};

describe('PRESENCE_SCOPE=contacts: presence reaches chat peers and friends only', () => {
  const f = serviceFixture({ presence: { scope: 'contacts' } });

  it('a chat peer and a friend get user_online / user_offline with the event’s position; a stranger, a blocked contact and alice herself get none', async () => {
    const { alice, peer, friend, stranger, blocked } = await cast(f.svc);
    const observers = { peer: f.keep(await peer.connectReady()), friend: f.keep(await friend.connectReady()) };
    const others = { stranger: f.keep(await stranger.connectReady()), blocked: f.keep(await blocked.connectReady()) };
    const own = f.keep(await alice.connectReady());
    for (const c of Object.values(observers)) {
      const online = await c.next(presenceOf(alice.name));
      expect(online.action).to.equal('user_online');
      expect(online.data).to.deep.equal({ username: alice.name });
      // One frame of one event, whatever the number of contacts: the event's bare position.
      expect(online.position).to.match(/^\d+(-\d+)?$/);
    }
    await own.close();
    for (const c of Object.values(observers)) expect((await c.next(presenceOf(alice.name))).action).to.equal('user_offline');
    // Barriers after alice's offline was stored: nothing about her reached the others.
    for (const [name, c] of Object.entries(others)) expect(await presenceFramesAbout(c, alice.name), name).to.deep.equal([]);
    // Alice's own (second) tab sees neither her own presence nor any of the others'.
    const again = f.keep(await alice.connectReady());
    const seen = f.keep(await stranger.connectReady());
    await ping(seen);
    expect((await drain(again)).filter((x) => x.action === 'user_online' || x.action === 'user_offline')).to.deep.equal([]);
  });

  it('a resume replays alice’s presence to a chat peer, not to a stranger', async () => {
    const { alice, peer, stranger } = await cast(f.svc);
    const p = await peer.connectReady();
    const s = await stranger.connectReady();
    const [pSince, sSince] = [await lastPosition(p), await lastPosition(s)];
    await p.close();
    await s.close();
    // While both are away, alice comes and goes.
    const own = await alice.connectReady();
    await own.close();
    const p2 = f.keep(await peer.connect({ since: pSince }));
    const s2 = f.keep(await stranger.connect({ since: sSince }));
    const replayed = await presenceFramesAbout(p2, alice.name);
    expect(replayed.map((x) => x.action)).to.deep.equal(['user_online', 'user_offline']);
    expect(await presenceFramesAbout(s2, alice.name)).to.deep.equal([]);
  });

  it('a second node on the same data routes the same way: contacts made before it started (loaded from the log) and after (followed)', async () => {
    const { alice, peer, friend, stranger, blocked } = await cast(f.svc);
    const node2 = await startTestService({ presence: { scope: 'contacts' } }, { dataDir: f.svc.dataDir });
    try {
      const late = await newUser(f.svc, 'late');
      await chatBetween(late, alice);
      const connectOn2 = (u: User) => node2.connect(u.name, { token: u.token });
      const on2 = { peer: await connectOn2(peer), friend: await connectOn2(friend), late: await connectOn2(late) };
      const notOn2 = { stranger: await connectOn2(stranger), blocked: await connectOn2(blocked) };
      for (const c of [...Object.values(on2), ...Object.values(notOn2)]) await ping(c);
      const own = f.keep(await alice.connectReady());
      for (const c of Object.values(on2)) expect((await c.next(presenceOf(alice.name))).action).to.equal('user_online');
      await own.close();
      for (const c of Object.values(on2)) expect((await c.next(presenceOf(alice.name))).action).to.equal('user_offline');
      for (const [name, c] of Object.entries(notOn2)) expect(await presenceFramesAbout(c, alice.name), name).to.deep.equal([]);
      await Promise.all([...Object.values(on2), ...Object.values(notOn2)].map((c) => c.close()));
    } finally {
      await node2.stop();
    }
  });

  it('an unblock shows presence again; a block made while both are connected hides it from then on', async () => {
    const alice = await newUser(f.svc, 'alice');
    const bob = await newUser(f.svc, 'bob');
    await chatBetween(alice, bob);
    const b = f.keep(await bob.connectReady());
    expect((await bob.http('PUT', `/api/blocks/${alice.name}`)).status).to.be.oneOf([200, 201, 204]);
    const hidden = await alice.connectReady();
    await hidden.close();
    expect(await presenceFramesAbout(b, alice.name)).to.deep.equal([]);
    expect((await bob.http('DELETE', `/api/blocks/${alice.name}`)).status).to.be.oneOf([200, 204]);
    const shown = await alice.connectReady();
    expect((await b.next(presenceOf(alice.name))).action).to.equal('user_online');
    await shown.close();
    expect((await b.next(presenceOf(alice.name))).action).to.equal('user_offline');
  });

  it('a batched socket’s presence_state holds its online contacts only, and its diffs only their changes', async () => {
    const { alice, peer, friend, stranger, blocked } = await cast(f.svc);
    const online = [
      f.keep(await peer.connectReady()),
      f.keep(await friend.connectReady()),
      f.keep(await stranger.connectReady()),
      f.keep(await blocked.connectReady()),
    ];
    for (const c of online) await ping(c);
    const a = f.keep(await alice.connect({ presence: 'batched' }));
    const state = await a.next();
    expect(state.action).to.equal('presence_state');
    expect(state.position).to.equal(undefined);
    expect(state.data).to.deep.equal({ online: [friend.name, peer.name].sort() });
    await online[0]?.close();
    await online[2]?.close();
    const diff = await a.nextAction('presence_diff', 5000);
    // A socket set up inside a window gets every user that window touched, as they are now.
    expect(diff.data['offline']).to.deep.equal([peer.name]);
    expect(diff.data['online']).to.be.an('array').that.does.not.include.members([stranger.name, blocked.name, peer.name]);
    const after = new Set([...(state.data['online'] as string[]), ...(diff.data['online'] as string[])]);
    for (const gone of diff.data['offline'] as string[]) after.delete(gone);
    expect([...after]).to.deep.equal([friend.name]);
  });
});
