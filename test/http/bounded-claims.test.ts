import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { startTestService, TEST_SECRET, type TestService } from '../support/test-service.js';
import { asRecord, rawUpgrade, uniq } from '../ws/support.js';

const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

/** Claims are bounded: an oversized or unsafe claim is a 401 over REST and a refused upgrade, and nothing is registered. */
describe('bounded token claims over REST and WebSocket', () => {
  let svc: TestService;

  before(async () => {
    svc = await startTestService();
  });
  after(async () => {
    await svc.stop();
  });

  const tokenWith = (username: string, claims: Record<string, unknown>): string =>
    jwt.sign({ sub: `id-${username}`, username, exp: inAnHour(), ...claims }, TEST_SECRET, { algorithm: 'HS256' });

  const cases: ReadonlyArray<{ readonly what: string; readonly claims: (name: string) => Record<string, unknown>; readonly rule: RegExp }> = [
    { what: 'a 4 KB sub', claims: () => ({ sub: 's'.repeat(4096) }), rule: /sub must be 1 to 128 valid characters/ },
    { what: 'a 10 KB nickname', claims: () => ({ nickname: 'n'.repeat(10 * 1024) }), rule: /nickname must be at most 50 valid characters/ },
    { what: 'a javascript: avatar', claims: () => ({ avatar: 'javascript:alert(document.cookie)' }), rule: /avatar must be empty or an http or https URL/ },
    // A lone surrogate cannot be stored as UTF-8: the service would show another name than the token's.
    { what: 'a nickname with a lone surrogate', claims: () => ({ nickname: 'nick\ud800' }), rule: /nickname must be at most 50 valid characters/ },
    { what: 'a sub with a lone surrogate', claims: () => ({ sub: 'id-\udfff' }), rule: /sub must be 1 to 128 valid characters/ },
  ];

  for (const c of cases) {
    it(`${c.what}: REST 401 { msg } in plain words, upgrade refused 401, the user stays unknown`, async () => {
      const name = uniq('bounded');
      const token = tokenWith(name, c.claims(name));
      const rest = await svc.http('GET', '/api/chats/', { token });
      expect(rest.status).to.equal(401);
      const msg = asRecord(rest.body)['msg'];
      expect(msg).to.be.a('string').and.match(c.rule);
      expect((msg as string).length, 'the value is not echoed').to.be.below(200);

      const upgrade = await rawUpgrade(svc, '/ws/events', { authorization: `Bearer ${token}` });
      expect(upgrade.upgraded).to.equal(false);
      if (!upgrade.upgraded) expect(upgrade.status).to.equal(401);
      const viaQuery = await rawUpgrade(svc, `/ws/events?token=${token}`);
      expect(viaQuery.upgraded).to.equal(false);

      // Nobody can find the user: its token never registered it.
      const lookup = await svc.http('PUT', `/api/chats/${name}`, { username: uniq('finder') });
      expect(lookup.status).to.equal(404);
    });
  }

  it('claims at their bounds are accepted', async () => {
    const name = uniq('edge');
    const token = tokenWith(name, { sub: 'e'.repeat(128), nickname: 'N'.repeat(50), avatar: `https://img.example/${'a'.repeat(2000)}` });
    expect((await svc.http('GET', '/api/chats/', { token })).status).to.equal(200);
  });
});
