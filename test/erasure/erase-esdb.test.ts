import { expect } from 'chai';
import { eraseUser } from '../../src/application/erasure/erase-user.js';
import { pagesOf } from '../../src/application/log/log-reader.js';
import { newId } from '../../src/application/shared/ids.js';
import { FakeEsdbServer } from '../infrastructure/fake-esdb-server.js';
import { eventually } from '../scheduling/support.js';
import type { TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { exchange, itemsOf, leaks, openChat, person } from './support.js';

/**
 * The same path on the EventStoreDB adapter: the service on EVENTSTORE_URL, here an in-process
 * fake of EventStoreDB's gRPC Streams API (test/infrastructure/fake-esdb-server.ts), not a real
 * server. The adapter is given sealed events only, and an erasure changes none of them.
 */
describe('erasure on the EventStoreDB adapter (over the in-process fake of its gRPC API)', function () {
  this.timeout(60_000);
  let fake: FakeEsdbServer;
  let svc: TestService;
  const sockets: TestClient[] = [];
  before(async () => {
    fake = await FakeEsdbServer.start();
  });
  after(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await svc?.stop();
    await fake.stop();
  });

  it('stores personal data sealed only, and an erasure leaves every stored event as it was', async () => {
    svc = await startTestService({ eventStoreUrl: fake.url, snapshotEvery: 0 });
    const [eve, olaf] = [person('eve'), person('olaf')];
    const [e, o] = await Promise.all([eve.connect(svc), olaf.connect(svc)]);
    sockets.push(e, o);
    const chatId = await openChat(svc, eve, olaf);
    await Promise.all([e.next((f) => f.action === 'join_chat'), o.next((f) => f.action === 'join_chat')]);
    const olafSays = olaf.say('olaf here');
    await exchange(e, o, chatId, eve.say('eve here'));
    await exchange(o, e, chatId, olafSays);

    const stored = async (): Promise<string> => {
      const lines: string[] = [];
      for await (const page of pagesOf(svc.service.store))
        for (const r of page.events) lines.push(JSON.stringify([r.id, r.streamId, r.type, r.data, r.metadata]));
      return lines.join('\n');
    };
    const before = await stored();
    expect(leaks(before, [...eve.secrets, ...olaf.secrets]), 'EventStoreDB never got personal data in clear').to.deep.equal([]);
    expect(before).to.match(/\\tpd1\./);

    const outcome = await eraseUser(
      { user: svc.service.deps.aggregates.user, keys: svc.service.keys.store, personal: svc.service.keys.personal, now: () => new Date(), newId },
      eve.sub,
    );
    expect(outcome).to.deep.equal({ _tag: 'Erased', keysDestroyed: 1 });
    const alias = svc.service.keys.usernames.aliasOf(eve.sub);
    await eventually(async () => itemsOf(await olaf.http(svc, 'GET', '/api/chats/'))[0]?.['username'] === alias, 'eve shown erased', 10_000);
    const messages = itemsOf(await olaf.http(svc, 'GET', `/api/chats/${alias}/messages`));
    expect(messages.map((m) => [m['content'], m['erased']])).to.deep.equal([
      [olafSays, undefined],
      ['', true],
    ]);
    // What was stored before is stored after, byte for byte; only the erasure's two events were added.
    const after = await stored();
    expect(after.startsWith(before)).to.equal(true);
    expect(
      after
        .slice(before.length)
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as unknown[])[2]),
    ).to.include.members(['ErasureRequested', 'UserErased']);
  });
});
