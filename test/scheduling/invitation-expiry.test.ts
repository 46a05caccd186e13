import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { inviteStream } from '../../src/domain/invite/invite.js';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { eventually, fastScheduling, register, uniq } from './support.js';

describe('scheduled jobs: invitation expiry and game end (real server, real sockets)', function () {
  this.timeout(20_000);
  let svc: TestService | undefined;
  const clients: TestClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await svc?.stop();
    svc = undefined;
  });

  const connect = async (s: TestService, username: string): Promise<TestClient> => {
    const c = await s.connect(username);
    clients.push(c);
    return c;
  };

  it('a pending invitation expires after invites.ttlMs: game_invite_canceled with a message to both', async () => {
    svc = await startTestService(fastScheduling({ invites: { ttlMs: 500 } }));
    const [alice, bob] = [uniq('alice'), uniq('bob')];
    await register(svc, alice, bob);
    const a = await connect(svc, alice);
    const b = await connect(svc, bob);
    const clientId = randomUUID();
    const sentAt = Date.now();
    a.send('game_invite', { username: bob, client_id: clientId, options: {} });
    await b.nextAction('game_invite');

    const [toBob, toAlice] = await Promise.all([b.nextAction('game_invite_canceled', 5000), a.nextAction('game_invite_canceled', 5000)]);
    expect(Date.now() - sentAt, 'not before the TTL').to.be.at.least(450);
    expect(toBob.data).to.deep.equal({ username: alice, nickname: alice, message: 'The invitation expired', client_id: clientId });
    expect(toAlice.data).to.deep.equal({ username: bob, nickname: bob, message: 'The invitation expired', client_id: clientId });
    expect(toBob.position, 'from a stored event').to.be.a('string');

    // Expired means released: the same pair may invite again at once.
    b.send('game_invite', { username: alice, client_id: randomUUID(), options: {} });
    expect((await a.nextAction('game_invite')).data['username']).to.equal(bob);
  });

  it('an answered invitation is not expired later: its job runs and finds nothing to do', async () => {
    svc = await startTestService(fastScheduling({ invites: { ttlMs: 400 } }));
    const [alice, bob] = [uniq('alice'), uniq('bob')];
    await register(svc, alice, bob);
    const a = await connect(svc, alice);
    const b = await connect(svc, bob);
    a.send('game_invite', { username: bob, client_id: randomUUID(), options: {} });
    await b.nextAction('game_invite');
    b.send('reply_game_invite', { username: alice, accept: false });
    await a.nextAction('game_declined');
    const late = await b.collect(1200, (f) => f.action === 'game_invite_canceled');
    expect(late, 'no cancellation after a decline').to.deep.equal([]);
  });

  it('an accepted game ends at endsAt: GameEnded is stored by the end-game job', async () => {
    // time_limit 1 minute, minus a grace of 59.4 s: the game lasts 600 ms.
    svc = await startTestService({ ...fastScheduling(), invites: { ...fastScheduling().invites!, gameGraceMs: -59_400 } });
    const [alice, bob] = [uniq('alice'), uniq('bob')];
    await register(svc, alice, bob);
    const a = await connect(svc, alice);
    const b = await connect(svc, bob);
    a.send('game_invite', { username: bob, client_id: randomUUID(), options: { time_limit: 1 } });
    const inviteId = String((await b.nextAction('game_invite')).data['id']);
    b.send('game_accepted', { username: alice });
    const found = await a.nextAction('game_found');
    const gameId = found.data['game_id'];
    const store = svc.service.store;
    await eventually(
      async () => {
        // On the invitation's own stream: the end-game job carries its inviteId.
        const events = await store.readStream(inviteStream(inviteId), { fromRevision: 0, maxCount: 100 });
        return events.some((e) => e.type === 'GameEnded' && (e.data as Record<string, unknown>)['gameId'] === gameId);
      },
      'GameEnded',
      5000,
    );
  });
});
