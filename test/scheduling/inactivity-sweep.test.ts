import { expect } from 'chai';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { eventually, fastScheduling, isOnline, register, uniq } from './support.js';

describe('scheduled jobs: the inactivity sweep', function () {
  this.timeout(20_000);
  let svc: TestService;

  before(async () => {
    svc = await startTestService(fastScheduling({ presence: { sweepIntervalMs: 250, inactivityThresholdMs: 900, activityThrottleMs: 50 } }));
  });
  after(async () => {
    await svc.stop();
  });

  it('forces an idle user offline (user_offline to online_users, is_online false in REST) and spares an active one', async () => {
    const [idle, busy, watcher] = [uniq('idle'), uniq('busy'), uniq('watcher')];
    await register(svc, idle, busy, watcher);
    const w = await svc.connect(watcher);
    const i = await svc.connect(idle);
    const b = await svc.connect(busy);
    await w.next((f) => f.action === 'user_online' && f.data['username'] === idle);
    await w.next((f) => f.action === 'user_online' && f.data['username'] === busy);
    expect(await isOnline(svc, watcher, idle)).to.equal(true);

    // `busy` keeps acting; `idle` (and `watcher`) do nothing.
    const keepBusy = setInterval(() => b.send('notification', { message: 'still here', type: 'ping' }), 150);
    let offline;
    try {
      offline = await w.next((f) => f.action === 'user_offline' && f.data['username'] === idle, 5000);
      // Swept once: a later sweep finds the user already offline.
      const again = await w.collect(700, (f) => f.action === 'user_offline' && (f.data['username'] === idle || f.data['username'] === busy));
      expect(again, 'no second user_offline for the idle user, none for the busy one').to.deep.equal([]);
    } finally {
      clearInterval(keepBusy);
    }
    expect(offline.position).to.be.a('string');
    await eventually(async () => !(await isOnline(svc, watcher, idle)), 'is_online false for the idle user');
    expect(await isOnline(svc, watcher, busy), 'the busy user stays online').to.equal(true);

    // Forced offline is not disconnected: the idle user's next action brings them back.
    i.send('user_online', { username: idle });
    await w.next((f) => f.action === 'user_online' && f.data['username'] === idle, 3000);
    await Promise.all([w, i, b].map((c: TestClient) => c.close()));
  });
});
