import { expect } from 'chai';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { drain, newUser, ping, serviceFixture, sleep, type User } from './support.js';

const WINDOW_MS = 800;
const isPresence = (f: ReceivedFrame): boolean => ['user_online', 'user_offline', 'presence_state', 'presence_diff'].includes(f.action);

/** Waits until a default socket saw `username` go `action`: the event is stored and broadcast. */
const seen = (watcher: TestClient, action: 'user_online' | 'user_offline', username: string): Promise<ReceivedFrame> =>
  watcher.next((f) => f.action === action && f.data['username'] === username, 5000);

/** Takes the batched socket's next diff; a second one must not follow within the same window. */
const nextDiff = async (client: TestClient): Promise<ReceivedFrame> => {
  const diff = await client.nextAction('presence_diff', 4 * WINDOW_MS);
  expect(diff.position, 'a diff is state, not a resumable delta').to.equal(undefined);
  return diff;
};

/** A batched socket with no window pending: its state taken, every diff of the window it was set up in received. */
const settledBatched = async (user: User): Promise<{ client: TestClient; state: ReceivedFrame }> => {
  const client = await user.connect({ presence: 'batched' });
  const state = await client.next();
  await sleep(WINDOW_MS * 1.5);
  await drain(client);
  return { client, state };
};

describe('?presence=batched: presence_state, then coalesced presence_diff frames', () => {
  const f = serviceFixture({ presence: { coalesceMs: WINDOW_MS } });

  it('presence_state right after ready: who is online now (not who left), without a position', async () => {
    const [bob, carol, gone, dora] = [await newUser(f.svc, 'bob'), await newUser(f.svc, 'carol'), await newUser(f.svc, 'gone'), await newUser(f.svc, 'dora')];
    const watcher = f.keep(await bob.connectReady());
    f.keep(await carol.connectReady());
    const g = await gone.connectReady();
    await g.close();
    await seen(watcher, 'user_offline', gone.name);
    const d = f.keep(await dora.connect({ presence: 'batched' }));
    expect(d.readyFrame?.action).to.equal('ready');
    const state = await d.next();
    expect(state.action).to.equal('presence_state');
    expect(state.position).to.equal(undefined);
    const online = state.data['online'] as string[];
    expect(online).to.include.members([bob.name, carol.name]);
    expect(online).to.not.include(gone.name);
    expect([...online].sort()).to.deep.equal(online);
    // Dora's own coming online reaches her in a diff, never as user_online.
    const diff = await nextDiff(d);
    expect(diff.data['online']).to.include(dora.name);
    expect(d.pending().filter((x) => x.action === 'user_online' || x.action === 'user_offline')).to.deep.equal([]);
  });

  it('several changes inside one window arrive as one diff; a user who came and went within it is not in it', async () => {
    const [observer, u1, u2, u3, blip] = [
      await newUser(f.svc, 'observer'),
      await newUser(f.svc, 'u1'),
      await newUser(f.svc, 'u2'),
      await newUser(f.svc, 'u3'),
      await newUser(f.svc, 'blip'),
    ];
    const watcher = f.keep(await (await newUser(f.svc, 'watcher')).connectReady());
    const { client: o } = await settledBatched(observer);
    f.keep(o);
    const started = Date.now();
    f.keep(await u1.connectReady());
    const b = await blip.connectReady();
    f.keep(await u2.connectReady());
    await b.close();
    await seen(watcher, 'user_offline', blip.name);
    f.keep(await u3.connectReady());
    await seen(watcher, 'user_online', u3.name);
    expect(Date.now() - started, 'the changes must fit in one window for this test to mean anything').to.be.lessThan(WINDOW_MS);
    const diff = await nextDiff(o);
    expect(diff.data).to.deep.equal({ online: [u1.name, u2.name, u3.name].sort(), offline: [] });
    // One diff for the window: nothing else follows.
    expect((await o.collect(WINDOW_MS * 1.5)).filter(isPresence)).to.deep.equal([]);
  });

  it('a change that cancels out alone sends no diff at all; an offline is reported as offline', async () => {
    const [observer, bob, blip] = [await newUser(f.svc, 'observer'), await newUser(f.svc, 'bob'), await newUser(f.svc, 'blip')];
    const bSocket = await bob.connectReady();
    const watcher = f.keep(await (await newUser(f.svc, 'watcher')).connectReady());
    const { client: o, state } = await settledBatched(observer);
    f.keep(o);
    expect(state.data['online']).to.include(bob.name);
    const x = await blip.connectReady();
    await x.close();
    await seen(watcher, 'user_offline', blip.name);
    expect((await o.collect(WINDOW_MS * 2)).filter(isPresence)).to.deep.equal([]);
    await bSocket.close();
    expect((await nextDiff(o)).data).to.deep.equal({ online: [], offline: [bob.name] });
  });

  it('default sockets on the same server keep the contract frames: user_online / user_offline with positions, no batched frames', async () => {
    const [alice, batchedUser, bob] = [await newUser(f.svc, 'alice'), await newUser(f.svc, 'batched'), await newUser(f.svc, 'bob')];
    const a = f.keep(await alice.connectReady());
    f.keep(await batchedUser.connect({ presence: 'batched' }));
    const b = await bob.connectReady();
    await b.close();
    await seen(a, 'user_offline', bob.name);
    await ping(a);
    await sleep(WINDOW_MS * 1.5);
    const frames = [...(await drain(a))];
    expect(frames.filter((x) => x.action === 'presence_state' || x.action === 'presence_diff')).to.deep.equal([]);
    const online = frames.find((x) => x.action === 'user_online' && x.data['username'] === bob.name);
    expect(online, 'user_online for bob').to.not.equal(undefined);
    expect(online?.data).to.deep.equal({ username: bob.name });
    expect(online?.position).to.match(/^\d+(-\d+)?$/);
    const batchedOnline = frames.find((x) => x.action === 'user_online' && x.data['username'] === batchedUser.name);
    expect(batchedOnline?.position, 'a batched user is announced to default sockets as usual').to.be.a('string');
  });

  it('a batched socket that resumes gets a fresh presence_state and no replayed presence frames', async () => {
    const [observer, carol] = [await newUser(f.svc, 'observer'), await newUser(f.svc, 'carol')];
    const { client: o } = await settledBatched(observer);
    const tag = 'before-away';
    o.send('notification', { message: tag, type: 'ping' });
    const since = (await o.next((x) => x.action === 'notification' && x.data['message'] === tag)).position;
    expect(since).to.be.a('string');
    await o.close();
    const c = f.keep(await carol.connectReady());
    const o2 = f.keep(await observer.connect({ since: since as string, presence: 'batched' }));
    const state = await o2.next();
    expect(state.action).to.equal('presence_state');
    expect(state.data['online']).to.include(carol.name);
    await ping(o2);
    expect(o2.pending().filter((x) => x.action === 'user_online' || x.action === 'user_offline')).to.deep.equal([]);
    // The window it was set up in ends first; then carol leaves.
    await sleep(WINDOW_MS * 1.5);
    await drain(o2);
    await c.close();
    expect((await nextDiff(o2)).data['offline']).to.include(carol.name);
  });

  it('a presence other than frames or batched is refused at the upgrade with 400', async () => {
    const alice = await newUser(f.svc, 'alice');
    const err = await alice.connect({ presence: 'sometimes' }).then(
      () => undefined,
      (e: unknown) => e as { statusCode?: number },
    );
    expect(err?.statusCode).to.equal(400);
  });
});
