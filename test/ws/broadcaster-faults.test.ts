import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import { inject } from './faults.js';
import { chatBetween, newUser, sleep, waitUntil } from './support.js';

describe('broadcaster: a transient fault delays frames, never drops them', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ ws: { ratePerSecond: 1000, rateBurst: 1000 } });
  });
  after(async () => svc.stop());

  it('while it cannot build frames /readyz answers 503; once the fault clears every frame arrives, in order, once', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const a = await alice.connect();
    const b = await bob.connect();
    let failures = 0;
    const restore = inject(svc.service.profiles, 'resolve', () => () => {
      failures += 1;
      return Promise.reject(new Error('injected profile read fault'));
    });
    const contents = ['during the fault 1', 'during the fault 2', 'during the fault 3'];
    try {
      for (const content of contents) a.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
      await waitUntil(() => failures >= 2, 5000, 'the broadcaster to hit the fault and retry');
      const ready = await svc.http('GET', '/readyz');
      expect(ready.status).to.equal(503);
      expect(JSON.stringify(ready.body)).to.include('broadcaster');
      await sleep(100);
      expect(b.pending().filter((f) => f.action === 'new_message')).to.deep.equal([]);
    } finally {
      restore();
    }
    for (const client of [a, b]) {
      const got: string[] = [];
      while (got.length < contents.length) got.push((await client.nextAction('new_message', 8000)).data['content'] as string);
      expect(got).to.deep.equal(contents);
    }
    await sleep(200);
    expect(
      [...a.pending(), ...b.pending()].filter((f) => f.action === 'new_message'),
      'no duplicate',
    ).to.deep.equal([]);
    await waitUntil(() => svc.service.broadcaster.fault === undefined, 5000, 'the fault to clear');
    expect((await svc.http('GET', '/readyz')).status).to.equal(200);
    await Promise.all([a.close(), b.close()]);
  });
});
