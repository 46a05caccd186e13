import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import { TestClient } from '../support/test-client.js';
import { failCommand, inject, onlineNow } from './faults.js';
import { newUser, nextError, sleep, waitUntil } from './support.js';

describe('WebSocket set-up: ready means ready', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ ws: { ratePerSecond: 1000, rateBurst: 1000 }, invites: { rateMax: 1000 } });
  });
  after(async () => svc.stop());

  it('the first frame is ready, with the username and a position to resume from', async () => {
    const alice = await newUser(svc, 'alice');
    const client = await svc.connect(alice.name, { token: alice.token, awaitReady: false });
    const first = await client.next();
    expect(first.action).to.equal('ready');
    expect(first.data['username']).to.equal(alice.name);
    expect(first.data['position'])
      .to.be.a('string')
      .and.match(/^\d+(-\d+)?(\.\d+)?$/);
    expect(first.position, 'ready is not a stored event').to.equal(undefined);
    await client.close();
  });

  it('50 rounds: a user who just got ready is found at once by REST and by game_invite, with zero false refusals', async () => {
    const host = await newUser(svc, 'host');
    const hostSocket = await host.connect();
    for (let round = 0; round < 50; round++) {
      // A brand-new user each round: known to the service only through this socket's set-up.
      const name = `fresh_${round}_${randomUUID().slice(0, 8)}`;
      const fresh = await svc.connect(name);
      expect(fresh.readyFrame?.action).to.equal('ready');
      const [chat] = await Promise.all([host.http('PUT', `/api/chats/${name}`)]);
      expect(chat.status, `round ${round}: ${JSON.stringify(chat.body)}`).to.be.oneOf([200, 201]);
      hostSocket.send('game_invite', { username: name, client_id: randomUUID() });
      await fresh.nextAction('game_invite');
      hostSocket.send('cancel_game_invite', { username: name });
      await fresh.nextAction('game_invite_canceled');
      await fresh.close();
    }
    expect(hostSocket.pending().filter((f) => f.action === 'error')).to.deep.equal([]);
    await hostSocket.close();
  });

  it('a resume from the ready position gets what was sent while the client was away', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const opened = await alice.http('PUT', `/api/chats/${bob.name}`);
    const chatId = (opened.body as { chat_id: string }).chat_id;
    const b1 = await bob.connect();
    const since = b1.readyFrame?.data['position'] as string;
    await b1.close();
    const a = await alice.connect();
    a.send('new_message', { chat_id: chatId, content: 'while away', timestamp: new Date().toISOString() });
    await a.nextAction('new_message');
    const b2 = await bob.connect({ since });
    const got = await b2.nextAction('new_message');
    expect(got.data['content']).to.equal('while away');
    await Promise.all([a.close(), b2.close()]);
  });
});

describe('WebSocket set-up: failures and early closes leave nothing behind', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ readYourWritesTimeoutMs: 300 });
  });
  after(async () => svc.stop());

  const expectNothingLeft = async (userId: string, hubBefore: number): Promise<void> => {
    await waitUntil(() => svc.service.hub.size === hubBefore, 3000, 'the socket to leave the hub');
    expect((await onlineNow(svc.service)).has(userId), `${userId} online`).to.equal(false);
  };

  it('a fault while registering the user refuses the upgrade with 503 (no socket), leaves nothing behind, and the next attempt works', async () => {
    const alice = await newUser(svc, 'alice');
    const observer = await newUser(svc, 'observer');
    const watching = await observer.connect();
    const hubBefore = svc.service.hub.size;
    const restore = failCommand(svc.service, 'RegisterUser');
    try {
      const refused = await alice.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).to.have.property('statusCode', 503);
    } finally {
      restore();
    }
    await expectNothingLeft(alice.id, hubBefore);
    const again = await alice.connect();
    expect(again.readyFrame?.action).to.equal('ready');
    await watching.nextAction('user_online');
    await again.close();
    await watching.close();
  });

  const steps: Array<{ readonly step: string; readonly fault: () => () => void }> = [
    {
      step: 'waiting for the read models',
      fault: () => inject(svc.service.projection.tracker, 'waitFor', () => () => Promise.resolve(false)),
    },
    {
      step: 'reading the chat list',
      fault: () => inject(svc.service.readSide.current, 'chatIdsOf', () => () => Promise.reject(new Error('injected chatIdsOf fault'))),
    },
    { step: 'reading the resume backlog', fault: () => inject(svc.service.store, 'readAll', () => () => Promise.reject(new Error('injected readAll fault'))) },
    { step: 'opening the connection (presence)', fault: () => failCommand(svc.service, 'OpenConnection') },
  ];

  for (const { step, fault } of steps) {
    it(`a fault while ${step} closes the socket with 1011 and leaves no group, presence or queue behind`, async () => {
      const alice = await newUser(svc, 'alice');
      const observer = await newUser(svc, 'observer');
      const watching = await observer.connect();
      const hubBefore = svc.service.hub.size;
      const restore = fault();
      let client: TestClient;
      try {
        client = await alice.connect();
        // Frames sent meanwhile are not held without bound or handled later.
        if (client.ws.readyState === client.ws.OPEN) client.send('user_online', { username: alice.name });
        const closed = await client.closed;
        expect(closed.code).to.equal(1011);
        expect(client.readyFrame).to.equal(undefined);
      } finally {
        restore();
      }
      await expectNothingLeft(alice.id, hubBefore);
      // The next attempt works as usual.
      const again = await alice.connect();
      expect(again.readyFrame?.action).to.equal('ready');
      await watching.nextAction('user_online');
      await again.close();
      await watching.close();
    });
  }

  it('a socket closed during its set-up is never joined to its groups afterwards, and never counted online', async () => {
    const alice = await newUser(svc, 'alice');
    const hubBefore = svc.service.hub.size;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const restore = inject(svc.service.readSide.current, 'chatIdsOf', (original) => async (userId: string) => {
      await gate;
      return original.call(svc.service.readSide.current, userId);
    });
    try {
      const client = await alice.connect({ awaitReady: false });
      await sleep(50);
      await client.close();
      release();
      await sleep(200);
    } finally {
      restore();
    }
    await expectNothingLeft(alice.id, hubBefore);
    const opened = (await svc.service.store.readStream(`presence-${alice.id}`)).filter((e) => e.type === 'ConnectionOpened');
    expect(opened, 'no connection was counted').to.have.length(0);
  });

  it('a refusal during a fault-free set-up is still answered after ready (frames sent before ready wait their turn)', async () => {
    const alice = await newUser(svc, 'alice');
    const client = await svc.connect(alice.name, { token: alice.token, awaitReady: false });
    client.send('join_chat', { chat_id: randomUUID() });
    expect((await client.next()).action).to.equal('ready');
    expect((await nextError(client, 'join_chat')).data['code']).to.equal('not_a_member');
    await client.close();
  });
});
