import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import { sdkTab, type SdkTab } from '../support/sdk-tab.js';
import { waitUntil } from '../support/wait.js';
import type { TestClient } from '../support/test-client.js';
import { fastScheduling, register, uniq } from './support.js';

/** Two server instances sharing one data directory: two nodes on one store. */
describe('two nodes sharing one store', () => {
  let a: TestService;
  let b: TestService;
  const sockets: TestClient[] = [];
  const tabs: SdkTab[] = [];
  const connect = async (node: TestService, username: string): Promise<TestClient> => {
    const c = await node.connect(username);
    sockets.push(c);
    return c;
  };
  const sdk = async (node: TestService, username: string): Promise<SdkTab> => {
    const t = sdkTab(node.service.url, () => node.token(username));
    tabs.push(t);
    await t.client.connect();
    return t;
  };

  before(async () => {
    a = await startTestService(fastScheduling());
    b = await startTestService(fastScheduling(), { dataDir: a.dataDir });
  });
  afterEach(async () => {
    await Promise.all([...sockets.splice(0), ...tabs.splice(0)].map((s) => s.close()));
  });
  after(async () => {
    await b.stop();
    await a.stop();
  });

  /** Resolves once the socket's set-up is done: frames queue behind it, and `notification` echoes to its sender. */
  const settled = async (socket: TestClient): Promise<void> => {
    const message = `settled ${uniq('ping')}`;
    socket.send('notification', { message, type: 'ping' });
    await socket.next((f) => f.action === 'notification' && f.data['message'] === message);
  };

  // These two run on the SDK, as a front end would.
  it('counts connections across tabs on both nodes: online once, offline when the last tab closes', async () => {
    const alice = uniq('alice');
    const watcher = await sdk(a, uniq('watcher'));
    // Alice's presence as the watcher's presence map went through it.
    const seen: boolean[] = [];
    watcher.client.on('presence', (users) => {
      if (seen[seen.length - 1] !== users.has(alice)) seen.push(users.has(alice));
    });
    const tab1 = await sdk(a, alice);
    await waitUntil(() => watcher.client.presence.isOnline(alice), 5000, 'alice online');
    // `ready` comes once a socket's connection is counted, so closing tab1 next must not take alice offline.
    const [tab2, tab3] = await Promise.all([sdk(b, alice), sdk(b, alice)]);
    await tab1.close();
    await tab2.close();
    // Still one tab open (on node B): no offline yet, and no second online.
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).to.deep.equal([true]);
    await tab3.close();
    await waitUntil(() => !watcher.client.presence.isOnline(alice), 5000, 'alice offline');
    expect(seen).to.deep.equal([true, false]);
  });

  it('delivers frames to sockets on the other node (every node follows the log)', async () => {
    const [alice, bob] = [uniq('alice'), uniq('bob')];
    await register(a, alice, bob);
    const onA = await sdk(a, alice);
    const onB = await sdk(b, bob);
    const chat = await onA.client.rest.openChat(bob);
    await onB.next((f) => f.action === 'join_chat', 'join_chat on node B');
    const sent = await onA.client.sendMessage(chat.chat_id, 'across nodes');
    expect((await onB.next((f) => f.action === 'new_message', 'the message on node B')).data).to.deep.equal(sent);
  });

  it('lets only one of two simultaneous invitations involving the same user succeed, across nodes', async () => {
    for (let round = 0; round < 5; round++) {
      const [alice, bob, carol] = [uniq('alice'), uniq('bob'), uniq('carol')];
      await register(a, alice, bob, carol);
      const fromA = await connect(a, alice);
      const fromB = await connect(b, bob);
      const invitee = await connect(a, carol);
      const clientId = '5eafd8eb-5be1-4671-9ff8-ba8fbb798af7';
      fromA.send('game_invite', { username: carol, client_id: clientId, options: {} });
      fromB.send('game_invite', { username: carol, client_id: clientId, options: {} });
      const invites = (await invitee.collect(600)).filter((f) => f.action === 'game_invite');
      const errors = [...(await fromA.collect(0)), ...(await fromB.collect(0))].filter((f) => f.action === 'error');
      expect(invites, `round ${round}`).to.have.length(1);
      expect(
        errors.map((e) => e.data['code']),
        `round ${round}`,
      ).to.deep.equal(['invitation_pending']);
      await Promise.all([...sockets.splice(0), ...tabs.splice(0)].map((s) => s.close()));
    }
  });

  it('two subs claiming one username on two nodes end with one holder that both nodes find', async () => {
    for (let round = 0; round < 4; round++) {
      const name = uniq('sam');
      const [x, y] = [`sub-x-${name}`, `sub-y-${name}`];
      const answers = await Promise.all([
        a.http('GET', '/api/chats/', { token: a.token(name, { sub: x }) }),
        b.http('GET', '/api/chats/', { token: b.token(name, { sub: y }) }),
      ]);
      for (const r of answers) expect(r.status).to.equal(200);
      const finder = uniq('finder');
      await register(a, finder);
      const viaA = await a.http('PUT', `/api/chats/${name}`, { username: finder });
      const viaB = await b.http('PUT', `/api/chats/${name}`, { username: finder });
      expect(viaA.status).to.equal(201);
      expect(viaB.status, 'the same chat, found on the other node').to.equal(200);
      const holders: string[] = [];
      for (const sub of [x, y]) if ((await b.service.readSide.current.userById(sub))?.username === name) holders.push(sub);
      expect(holders, `round ${round}`).to.have.length(1);
    }
  });

  it('a block stored on one node keeps a tournament announced on the other from the blocker', async () => {
    const [org, blocker, other] = [uniq('org'), uniq('blocker'), uniq('other')];
    await register(a, org, blocker, other);
    expect((await b.http('PUT', `/api/blocks/${org}`, { username: blocker })).status).to.equal(200);
    const blockerTab = await connect(b, blocker);
    const otherTab = await connect(b, other);
    const orgTab = await connect(a, org);
    await Promise.all([settled(blockerTab), settled(otherTab), settled(orgTab)]);
    const cup = '6a0f5d1e-2b3c-4d5e-8f90-0a1b2c3d4e5f';
    orgTab.send('new_tournament', { tournament_id: cup, tournament_name: 'Two-node Cup', organizer_id: `id-${org}` });
    expect((await otherTab.nextAction('new_tournament')).data['tournament_id']).to.equal(cup);
    await settled(blockerTab);
    expect(blockerTab.pending().map((f) => f.action)).to.not.include('new_tournament');
    const notes = await b.http('GET', '/api/notifications/', { username: blocker });
    expect(JSON.stringify(notes.body)).to.not.include(cup);
  });
});
