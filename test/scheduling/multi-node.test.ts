import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { fastScheduling, register, uniq } from './support.js';

/** Two server instances sharing one data directory: two nodes on one store. */
describe('two nodes sharing one store', () => {
  let a: TestService;
  let b: TestService;
  const sockets: TestClient[] = [];
  const connect = async (node: TestService, username: string): Promise<TestClient> => {
    const c = await node.connect(username);
    sockets.push(c);
    return c;
  };

  before(async () => {
    a = await startTestService(fastScheduling());
    b = await startTestService(fastScheduling(), { dataDir: a.dataDir });
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await b.stop();
    await a.stop();
  });

  const onlineFramesFor = (frames: readonly ReceivedFrame[], username: string) =>
    frames.filter((f) => (f.action === 'user_online' || f.action === 'user_offline') && f.data['username'] === username).map((f) => f.action);

  /** Resolves once the socket's set-up is done: frames queue behind it, and `notification` echoes to its sender. */
  const settled = async (socket: TestClient): Promise<void> => {
    const message = `settled ${uniq('ping')}`;
    socket.send('notification', { message, type: 'ping' });
    await socket.next((f) => f.action === 'notification' && f.data['message'] === message);
  };

  it('counts connections across tabs on both nodes: online once, offline when the last tab closes', async () => {
    const alice = uniq('alice');
    const watcher = await connect(a, uniq('watcher'));
    const tab1 = await connect(a, alice);
    await watcher.next((f) => f.action === 'user_online' && f.data['username'] === alice);
    const tab2 = await connect(b, alice);
    const tab3 = await connect(b, alice);
    // A socket is open before its connection is counted (set-up runs first): let both be counted,
    // else closing tab1 now would rightly take alice offline until they are.
    await Promise.all([settled(tab2), settled(tab3)]);
    await tab1.close();
    await tab2.close();
    // Still one tab open (on node B): no offline yet, and no second online.
    expect(onlineFramesFor(await watcher.collect(400), alice)).to.deep.equal([]);
    await tab3.close();
    await watcher.next((f) => f.action === 'user_offline' && f.data['username'] === alice);
  });

  it('delivers frames to sockets on the other node (every node follows the log)', async () => {
    const [alice, bob] = [uniq('alice'), uniq('bob')];
    await register(a, alice, bob);
    const opened = await a.http('PUT', `/api/chats/${bob}`, { username: alice });
    const chatId = (opened.body as { chat_id: string }).chat_id;
    const onA = await connect(a, alice);
    const onB = await connect(b, bob);
    onA.send('new_message', { content: 'across nodes', chat_id: chatId, timestamp: new Date().toISOString() });
    const received = await onB.nextAction('new_message');
    expect(received.data['content']).to.equal('across nodes');
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
      await Promise.all(sockets.splice(0).map((s) => s.close()));
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
      for (const sub of [x, y]) if ((await b.service.readModels.userById(sub))?.username === name) holders.push(sub);
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
