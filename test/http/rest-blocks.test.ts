import { expect } from 'chai';
import type { TestService } from '../support/test-service.js';
import { expectBlockedUser, expectMsg, expectPage, makeKnown, startHttpTestService, uniqueName, type BlockedUser, type Page } from './http-helpers.js';

describe('REST: blocks', function () {
  let svc: TestService;

  before(async () => {
    svc = await startHttpTestService();
  });
  after(async () => {
    await svc.stop();
  });

  const blocksOf = async (username: string, query = ''): Promise<Page<BlockedUser>> =>
    expectPage(await svc.http('GET', `/api/blocks/${query}`, { username }), expectBlockedUser);

  it('blocks and unblocks idempotently, listing { username, nickname, avatar } of the users I blocked', async () => {
    const me = uniqueName('me');
    const bob = uniqueName('bob');
    await makeKnown(svc, me);
    await svc.http('GET', '/api/chats', { token: svc.token(bob, { nickname: 'Bobby', avatar: 'https://img.example/bob.png' }) });
    expect(await blocksOf(me)).to.deep.equal({ items: [], count: 0 });

    for (let i = 0; i < 2; i++) {
      expectMsg(await svc.http('PUT', `/api/blocks/${bob}`, { username: me }));
      expect(await blocksOf(me)).to.deep.equal({ items: [{ username: bob, nickname: 'Bobby', avatar: 'https://img.example/bob.png' }], count: 1 });
    }
    // One-directional: bob blocked nobody.
    expect(await blocksOf(bob)).to.deep.equal({ items: [], count: 0 });

    // The listed profile follows bob's latest token.
    await svc.http('GET', '/api/chats', { token: svc.token(bob, { nickname: 'Robert', avatar: 'https://img.example/robert.png' }) });
    expect((await blocksOf(me)).items).to.deep.equal([{ username: bob, nickname: 'Robert', avatar: 'https://img.example/robert.png' }]);

    for (let i = 0; i < 2; i++) {
      expectMsg(await svc.http('DELETE', `/api/blocks/${bob}/`, { username: me }));
      expect(await blocksOf(me)).to.deep.equal({ items: [], count: 0 });
    }
    // Unblocking someone never blocked is fine too.
    expectMsg(await svc.http('DELETE', `/api/blocks/${me}`, { username: bob }));
  });

  it('pages the blocked users: default limit 10, limit 1, offset beyond the count', async () => {
    const me = uniqueName('blocker');
    const targets: string[] = [];
    for (let i = 0; i < 12; i++) targets.push(uniqueName('target'));
    await makeKnown(svc, me, ...targets);
    for (const t of targets) expectMsg(await svc.http('PUT', `/api/blocks/${t}`, { username: me }));

    const first = await blocksOf(me);
    expect(first.count).to.equal(12);
    expect(first.items).to.have.length(10);
    const second = await blocksOf(me, '?offset=10');
    expect(second.count).to.equal(12);
    expect(second.items).to.have.length(2);
    expect([...first.items, ...second.items].map((b) => b.username)).to.have.members(targets);
    const one = await blocksOf(me, '?limit=1');
    expect(one).to.deep.equal({ items: [first.items[0]], count: 12 });
    const paged: string[] = [];
    for (let offset = 0; offset < 12; offset++) paged.push(...(await blocksOf(me, `?limit=1&offset=${offset}`)).items.map((b) => b.username));
    expect(paged).to.deep.equal([...first.items, ...second.items].map((b) => b.username));
    for (const offset of [12, 40]) expect(await blocksOf(me, `?offset=${offset}`)).to.deep.equal({ items: [], count: 12 });

    expectMsg(await svc.http('DELETE', `/api/blocks/${targets[5] ?? ''}`, { username: me }));
    const after = await blocksOf(me, '?limit=100');
    expect(after.count).to.equal(11);
    expect(after.items.map((b) => b.username)).to.have.members(targets.filter((_, i) => i !== 5));
  });

  it('keeps one block when the same block arrives twice at once', async () => {
    const me = uniqueName('me');
    const bob = uniqueName('bob');
    await makeKnown(svc, me, bob);
    const answers = await Promise.all([0, 1, 2].map(() => svc.http('PUT', `/api/blocks/${bob}`, { username: me })));
    for (const a of answers) expectMsg(a);
    expect((await blocksOf(me)).count).to.equal(1);
  });
});
