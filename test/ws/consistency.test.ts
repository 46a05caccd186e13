import { expect } from 'chai';
import { PositionTracker } from '../../src/application/log/position-tracker.js';
import { positionOf } from '../../src/application/ports/position.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { inject } from './faults.js';
import { chatBetween, newUser, nextError, sleep } from './support.js';

describe('consistency: decisions and answers reflect everything stored before the request', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ ws: { ratePerSecond: 1000, rateBurst: 1000 }, readYourWritesTimeoutMs: 300 });
  });
  after(async () => svc.stop());

  it('50 rounds of read_message without chat_id sent the moment the new_message frame arrives: zero refusals, each stored', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const [a, b] = await Promise.all([alice.sdk(), bob.sdk()]);
    for (let round = 0; round < 50; round++) {
      const content = `round ${round}`;
      void a.client.sendMessage(chatId, content);
      const frame = await b.next((f) => f.action === 'new_message' && f.data.content === content, content);
      if (frame.action !== 'new_message') throw new Error('unreachable');
      // Resolves only when the server took it: a refusal (message_not_found) would reject.
      await b.client.markRead(frame.data.id);
    }
    const preview = await b.client.rest.chats();
    expect(preview.items.find((c) => c.chat_id === chatId)?.unread_messages_count).to.equal(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('while the read side is stalled, REST answers 503 with Retry-After and a lookup-dependent action gets `unavailable`; both work once it resumes', async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const a = await alice.connect();
    // The projection's tracker never reaches the head: the read models are "behind".
    const restore = inject(svc.service.projection.tracker, 'waitFor', () => () => Promise.resolve(false));
    try {
      const rest = await svc.http('GET', '/api/chats/', { token: alice.token });
      expect(rest.status).to.equal(503);
      expect(rest.body).to.have.property('msg').that.is.a('string');
      const raw = await fetch(`${svc.service.url}/api/chats/${bob.name}`, { method: 'PUT', headers: { authorization: `Bearer ${alice.token}` } });
      expect(raw.status).to.equal(503);
      expect(raw.headers.get('retry-after')).to.equal('1');
      a.send('game_invite', { username: bob.name, client_id: '6f1f7c2e-3c1a-4d0b-9a57-0f3e2b1c4d5e' });
      expect((await nextError(a, 'game_invite')).data['code']).to.equal('unavailable');
    } finally {
      restore();
    }
    expect((await svc.http('GET', '/api/chats/', { token: alice.token })).status).to.equal(200);
    await a.close();
  });
});

describe('PositionTracker follows a consumer that starts over', () => {
  it('reset moves it backwards, so "caught up" is answered for the data now served', async () => {
    const t = new PositionTracker();
    t.advance(positionOf(10));
    expect(t.reached(positionOf(10))).to.equal(true);
    t.reset(positionOf(3));
    expect(t.reached(positionOf(10))).to.equal(false);
    const waiting = t.waitFor(positionOf(5), 1000);
    t.advance(positionOf(5));
    expect(await waiting).to.equal(true);
    t.reset(undefined);
    expect(t.reached(positionOf(0))).to.equal(false);
    await sleep(1);
  });
});
