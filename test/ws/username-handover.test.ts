import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { usernameStream } from '../../src/domain/user/username-claim.js';
import type { TestClient } from '../support/test-client.js';
import { asRecord, drain, itemsOf, newUser, notPresence, ping, uniq, serviceFixture } from './support.js';

/**
 * A username belongs to one user at a time: a valid token presenting a name another `sub` held
 * makes its user the holder; the earlier holder keeps its record but is shown without a username
 * (empty) and found by nobody under it, until one of its own tokens presents a name again.
 */
describe('identity: a username changes hands', () => {
  const fixture = serviceFixture();

  const as = (token: string) => ({
    http: (method: string, path: string) => fixture.svc.http(method, path, { token }),
    connect: async (name: string): Promise<TestClient> => {
      const c = await fixture.svc.connect(name, { token });
      fixture.keep(c);
      await ping(c);
      return c;
    },
  });

  it('REST and WebSocket lookups of the name reach the new holder; the earlier holder no longer answers to it', async () => {
    const sam = uniq('sam');
    const x = as(fixture.svc.token(sam, { sub: `sub-x-${sam}`, nickname: 'Sam X' }));
    const y = as(fixture.svc.token(sam, { sub: `sub-y-${sam}`, nickname: 'Sam Y' }));
    const carol = await newUser(fixture.svc, 'carol');

    expect((await x.http('GET', '/api/chats/')).status).to.equal(200);
    const withX = await carol.http('PUT', `/api/chats/${sam}`);
    expect(withX.status).to.equal(201);
    const chatWithX = asRecord(withX.body)['chat_id'];
    const xTab = await x.connect(sam);

    // Y presents the same name: Y holds it from now on.
    const yTab = await y.connect(sam);
    expect(yTab.readyFrame?.data['username']).to.equal(sam);

    const withY = await carol.http('PUT', `/api/chats/${sam}`);
    expect(withY.status, 'a new chat: the name is Y now').to.equal(201);
    expect(asRecord(withY.body)).to.include({ username: sam, nickname: 'Sam Y' });
    expect(asRecord(withY.body)['chat_id']).to.not.equal(chatWithX);

    // X's chat stays, shown without a username.
    const previews = itemsOf((await carol.http('GET', '/api/chats/')).body);
    const byChat = new Map(previews.map((p) => [p['chat_id'], p]));
    expect(byChat.get(chatWithX)).to.include({ username: '', nickname: 'Sam X' });
    expect(byChat.get(asRecord(withY.body)['chat_id'])).to.include({ username: sam, nickname: 'Sam Y' });

    // game_invite by name reaches Y's socket, not X's.
    const c = await carol.connectReady();
    fixture.keep(c);
    c.send('game_invite', { username: sam, client_id: randomUUID() });
    const invite = await yTab.nextAction('game_invite');
    expect(invite.data).to.include({ username: carol.name });
    await ping(xTab);
    expect(
      (await drain(xTab)).filter(notPresence).map((f) => f.action),
      'nothing reached X',
    ).to.deep.equal([]);

    // Blocks by name: Y is blocked, X is not.
    expect((await carol.http('PUT', `/api/blocks/${sam}`)).status).to.equal(200);
    const blocked = itemsOf((await carol.http('GET', '/api/blocks/')).body);
    expect(blocked).to.deep.equal([{ username: sam, nickname: 'Sam Y', avatar: '' }]);
    const after = new Map(itemsOf((await carol.http('GET', '/api/chats/')).body).map((p) => [p['chat_id'], p]));
    expect(after.get(chatWithX)).to.include({ is_blocked_user: false });

    // Frames show X without the name too: X's last tab closing reaches carol as user_offline "".
    await xTab.close();
    const offline = await c.next((f) => f.action === 'user_offline' && f.data['username'] !== carol.name);
    expect(offline.data).to.deep.equal({ username: '' });

    // Stored as events: the name's stream (named by its keyed hash, never by the name) records both claims, in order, the name sealed.
    const stream = usernameStream(fixture.svc.service.keys.usernames.hash(sam));
    expect(stream).to.not.include(sam);
    const claims = await fixture.svc.service.store.readStream(stream);
    expect(claims.map((e) => e.data['username'])).to.satisfy((names: unknown[]) => names.every((n) => typeof n === 'string' && n.startsWith('\tpd1.')));
    expect(claims.map((e) => [e.type, e.data['userId'], e.data['previousHolderId']])).to.deep.equal([
      ['UsernameClaimed', `sub-x-${sam}`, null],
      ['UsernameClaimed', `sub-y-${sam}`, `sub-x-${sam}`],
    ]);
    const claim = await fixture.svc.service.deps.aggregates.usernameClaim.load(stream, { verify: true });
    expect(claim.state.holder).to.equal(`sub-y-${sam}`);
  });

  it('the earlier holder presenting the name again takes it back', async () => {
    const sam = uniq('sam');
    const x = as(fixture.svc.token(sam, { sub: `sub-x-${sam}` }));
    const y = as(fixture.svc.token(sam, { sub: `sub-y-${sam}` }));
    const carol = await newUser(fixture.svc, 'carol');
    expect((await x.http('GET', '/api/chats/')).status).to.equal(200);
    const chatWithX = asRecord((await carol.http('PUT', `/api/chats/${sam}`)).body)['chat_id'];
    expect((await y.http('GET', '/api/chats/')).status).to.equal(200);
    const chatWithY = asRecord((await carol.http('PUT', `/api/chats/${sam}`)).body)['chat_id'];
    expect(chatWithY).to.not.equal(chatWithX);

    expect((await x.http('GET', '/api/chats/')).status).to.equal(200);
    const again = await carol.http('PUT', `/api/chats/${sam}`);
    expect(again.status, 'the chat with X exists').to.equal(200);
    expect(asRecord(again.body)['chat_id']).to.equal(chatWithX);
    const previews = new Map(itemsOf((await carol.http('GET', '/api/chats/')).body).map((p) => [p['chat_id'], p['username']]));
    expect(previews.get(chatWithX)).to.equal(sam);
    expect(previews.get(chatWithY)).to.equal('');
  });

  it('subs racing for one name end with exactly one holder, on the claim stream and in the read models', async () => {
    for (let round = 0; round < 5; round++) {
      const name = uniq('race');
      const subs = [0, 1, 2, 3].map((i) => `sub-${i}-${name}`);
      const answers = await Promise.all(subs.map((sub) => fixture.svc.http('GET', '/api/chats/', { token: fixture.svc.token(name, { sub }) })));
      for (const a of answers) expect(a.status).to.equal(200);
      const { state } = await fixture.svc.service.deps.aggregates.usernameClaim.load(usernameStream(fixture.svc.service.keys.usernames.hash(name)), {
        verify: true,
      });
      expect(subs).to.include(state.holder);
      const finder = await newUser(fixture.svc, 'finder');
      const found = await finder.http('PUT', `/api/chats/${name}`);
      expect(found.status).to.equal(201);
      const holders: string[] = [];
      for (const sub of subs) {
        const user = await fixture.svc.service.readSide.current.userById(sub);
        if (user?.username === name) holders.push(sub);
      }
      expect(holders, `round ${round}`).to.deep.equal([state.holder]);
    }
  });
});
