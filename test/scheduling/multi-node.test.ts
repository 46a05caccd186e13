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
      expect(errors.map((e) => e.data['code']), `round ${round}`).to.deep.equal(['invitation_pending']);
      await Promise.all(sockets.splice(0).map((s) => s.close()));
    }
  });
});
