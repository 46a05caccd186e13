import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { ping, newUser, type User } from '../ws/support.js';

const ROUNDS = 50;

interface Refusal {
  readonly code: string;
  readonly msg: string;
}

/** The `game_invite` refusals `client` got; after a ping, every one its earlier frames caused. */
const inviteRefusals = async (client: TestClient): Promise<Refusal[]> => {
  await ping(client);
  const errors = await client.collect(0, (f) => f.action === 'error' && f.data['for'] === 'game_invite');
  return errors.map((f) => ({ code: String(f.data['code']), msg: String(f.data['msg']) }));
};
/** Several paths answer the same code: a failure shows the messages too, which tell them apart. */
const codes = (refusals: readonly Refusal[]): string[] => refusals.map((r) => r.code);

/**
 * Two nodes on one data directory, invitations sharing a user sent at the same moment, one on
 * each node: the engaged rule lets exactly one through, the other is refused `invitation_pending`.
 * There is no stream both pass through: they meet on the shared user's engagement stream.
 */
describe('two nodes racing invitations that share a user', function () {
  this.timeout(180_000);
  let one: TestService;
  let two: TestService;
  const clients: TestClient[] = [];

  before(async () => {
    const overrides = { ws: { ratePerSecond: 1_000_000, rateBurst: 1_000_000 }, invites: { rateMax: 1_000_000 }, sqliteSynchronous: 'NORMAL' as const };
    one = await startTestService(overrides);
    two = await startTestService(overrides, { dataDir: one.dataDir });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await two.stop();
    await one.stop();
  });

  const on = async (svc: TestService, user: User): Promise<TestClient> => {
    const c = await svc.connect(user.name, { token: user.token });
    clients.push(c);
    await ping(c);
    return c;
  };

  /** Withdraws the winner's invitation and waits until both sides saw it: the next round starts with everyone free. */
  const withdraw = async (inviter: TestClient, invitee: TestClient, inviteeName: string): Promise<void> => {
    inviter.send('cancel_game_invite', { username: inviteeName });
    await Promise.all([inviter.nextAction('game_invite_canceled', 10_000), invitee.nextAction('game_invite_canceled', 10_000)]);
  };

  it(`${ROUNDS} rounds of A→B on node 1 and C→B on node 2 at once: exactly one through per round`, async () => {
    const [alice, bob, carol] = [await newUser(one, 'alice'), await newUser(one, 'bob'), await newUser(two, 'carol')];
    const a = await on(one, alice);
    const b = await on(one, bob);
    const c = await on(two, carol);
    const wins = { alice: 0, carol: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      a.send('game_invite', { username: bob.name, client_id: randomUUID(), options: {} });
      c.send('game_invite', { username: bob.name, client_id: randomUUID(), options: {} });
      const [fromA, fromC] = await Promise.all([inviteRefusals(a), inviteRefusals(c)]);
      expect(codes([...fromA, ...fromC]), `round ${round}: one refusal, got ${JSON.stringify([...fromA, ...fromC])}`).to.deep.equal(['invitation_pending']);
      const winner = fromA.length === 0 ? alice : carol;
      const invite = await b.nextAction('game_invite', 10_000);
      expect(invite.data['username'], `round ${round}: bob is invited by the winner`).to.equal(winner.name);
      wins[winner === alice ? 'alice' : 'carol'] += 1;
      await withdraw(winner === alice ? a : c, b, bob.name);
      await ping(b);
      expect(await b.collect(0, (f) => f.action === 'game_invite'), `round ${round}: no second invitation`).to.deep.equal([]);
    }
    expect(wins.alice + wins.carol).to.equal(ROUNDS);
    const sent = await one.service.store.readAll({ filter: { eventTypes: ['InvitationSent'] } });
    expect(sent.filter((e) => (e.data as Record<string, unknown>)['inviteeId'] === bob.id)).to.have.length(ROUNDS);
    expect(
      sent.some((e) => e.streamId === 'invites'),
      'nothing on the old global stream',
    ).to.equal(false);
  });

  it('A→B on node 1 and B→A on node 2 at once: exactly one through', async () => {
    const [alice, bob] = [await newUser(one, 'alice'), await newUser(one, 'bob')];
    const a = await on(one, alice);
    const b = await on(two, bob);
    for (let round = 0; round < 20; round++) {
      a.send('game_invite', { username: bob.name, client_id: randomUUID(), options: {} });
      b.send('game_invite', { username: alice.name, client_id: randomUUID(), options: {} });
      const [fromA, fromB] = await Promise.all([inviteRefusals(a), inviteRefusals(b)]);
      expect(codes([...fromA, ...fromB]), `round ${round}: one refusal, got ${JSON.stringify([...fromA, ...fromB])}`).to.deep.equal(['invitation_pending']);
      const [winner, loser, loserName] = fromA.length === 0 ? [a, b, bob.name] : [b, a, alice.name];
      expect((await loser.nextAction('game_invite', 10_000)).data['id']).to.be.a('string');
      await withdraw(winner, loser, loserName);
    }
  });
});
