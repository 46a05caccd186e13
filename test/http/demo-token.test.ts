import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';

const mint = (s: TestService, body: unknown) => s.http('POST', '/demo/token', { body });

describe('POST /demo/token', () => {
  describe('with the generated development secret (no JWT_SECRET, no JWT_PUBLIC_KEY)', () => {
    let s: TestService;
    before(async () => {
      s = await startTestService({}, undefined, { devSecret: true });
    });
    after(() => s.stop());

    it('mints a token the service accepts, for that username', async () => {
      const answer = await mint(s, { username: 'alice' });
      expect(answer.status).to.equal(200);
      const { token } = answer.body as { token: string };
      const chats = await s.http('GET', '/api/chats/', { token });
      expect(chats.status).to.equal(200);
      const socket = await s.connect('alice', { token });
      expect(socket.readyFrame?.data).to.include({ username: 'alice' });
      await socket.close();
    });

    it('the same username gets the same user: a chat opened with one token is there with the next', async () => {
      const first = (await mint(s, { username: 'carol' })).body as { token: string };
      expect((await s.http('PUT', '/api/chats/alice', { token: first.token })).status).to.be.oneOf([200, 201]);
      const second = (await mint(s, { username: 'carol' })).body as { token: string };
      const chats = await s.http('GET', '/api/chats/', { token: second.token });
      expect((chats.body as { items: Array<{ username: string }> }).items.map((c) => c.username)).to.deep.equal(['alice']);
    });

    it('refuses a username the tokens cannot carry (400)', async () => {
      for (const body of [{}, { username: '' }, { username: 'a b' }, { username: 'x'.repeat(51) }, { username: 7 }]) {
        const answer = await mint(s, body);
        expect(answer.status, JSON.stringify(body)).to.equal(400);
      }
    });

    it('serves the demo page and its files under a CSP that allows only its own script', async () => {
      for (const path of ['/demo', '/demo/', '/demo/app.js', '/demo/demo.css']) {
        const res = await fetch(s.service.url + path);
        expect(res.status, path).to.equal(200);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).to.contain("script-src 'self'").and.contain("default-src 'none'");
      }
      const page = await (await fetch(`${s.service.url}/demo`)).text();
      expect(page).to.not.match(/<script>|<script [^>]*>[^<]+<\/script>|style=/);
      const docs = await fetch(`${s.service.url}/docs`);
      expect(docs.headers.get('content-security-policy')).to.not.contain('script-src');
      expect(await docs.text()).to.contain('href="/demo/"');
    });
  });

  describe('with a real key configured (JWT_SECRET)', () => {
    let s: TestService;
    before(async () => {
      s = await startTestService();
    });
    after(() => s.stop());

    it('is never available: 404, and no token in the answer', async () => {
      const answer = await mint(s, { username: 'alice' });
      expect(answer.status).to.equal(404);
      expect(answer.body).to.deep.equal({ msg: 'Not found' });
    });

    it('still serves the demo page (which then takes a pasted token)', async () => {
      const res = await fetch(`${s.service.url}/demo/`);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.contain('id="token-form"');
    });
  });
});
