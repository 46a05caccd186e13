import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import { fastScheduling, register, uniq } from './support.js';

describe('invitations: the inviter leaving withdraws them', function () {
  this.timeout(20_000);
  let svc: TestService;

  before(async () => {
    svc = await startTestService(fastScheduling());
  });
  after(async () => {
    await svc.stop();
  });

  it("the inviter's last socket closing: game_invite_canceled with a message to the invitee", async () => {
    const [alice, bob] = [uniq('alice'), uniq('bob')];
    await register(svc, alice, bob);
    const a1 = await svc.connect(alice);
    const a2 = await svc.connect(alice);
    const b = await svc.connect(bob);
    const clientId = randomUUID();
    a1.send('game_invite', { username: bob, client_id: clientId, options: {} });
    await b.nextAction('game_invite');

    await a1.close();
    const early = await b.collect(400, (f) => f.action === 'game_invite_canceled');
    expect(early, 'another tab of the inviter is still open').to.deep.equal([]);

    await a2.close();
    const canceled = await b.nextAction('game_invite_canceled', 5000);
    expect(canceled.data).to.deep.equal({ username: alice, nickname: alice, message: 'The inviter left', client_id: clientId });
    await b.close();
  });
});
