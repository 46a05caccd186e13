import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { TestClient } from '../support/test-client.js';
import { startTestService, TEST_SECRET, type TestService } from '../support/test-service.js';
import { rawUpgrade, uniq } from './support.js';

const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

describe('WebSocket gateway: authentication', () => {
  let svc: TestService;

  before(async () => {
    svc = await startTestService();
  });
  after(async () => {
    await svc.stop();
  });

  /** Connected as `username`: its own `user_online` (0→1) reaches its socket, which sits in `online_users`. */
  const expectIdentity = async (client: TestClient, username: string): Promise<void> => {
    const online = await client.next((f) => f.action === 'user_online' && f.data['username'] === username);
    expect(online.data).to.deep.equal({ username });
    await client.close();
  };

  describe('accepted token sources', () => {
    it('Authorization: Bearer header', async () => {
      const alice = uniq('alice');
      const client = await TestClient.connect(svc.wsUrl, { headers: { authorization: `Bearer ${svc.token(alice)}` } });
      await expectIdentity(client, alice);
    });

    it('access_token cookie', async () => {
      const alice = uniq('alice');
      const client = await TestClient.connect(svc.wsUrl, { headers: { cookie: `theme=dark; access_token=${svc.token(alice)}` } });
      await expectIdentity(client, alice);
    });

    it('token query parameter', async () => {
      const alice = uniq('alice');
      const client = await TestClient.connect(`${svc.wsUrl}?token=${encodeURIComponent(svc.token(alice))}`);
      await expectIdentity(client, alice);
    });

    it('the trailing-slash path /ws/events/ too', async () => {
      const alice = uniq('alice');
      const client = await TestClient.connect(`${svc.wsUrl}/?token=${encodeURIComponent(svc.token(alice))}`);
      await expectIdentity(client, alice);
    });

    it('in the protocol order: header before cookie before query', async () => {
      const [a, b, c] = [uniq('hdr'), uniq('cookie'), uniq('query')];
      const headerWins = await TestClient.connect(`${svc.wsUrl}?token=${svc.token(c)}`, {
        headers: { authorization: `Bearer ${svc.token(a)}`, cookie: `access_token=${svc.token(b)}` },
      });
      await expectIdentity(headerWins, a);
      const cookieWins = await TestClient.connect(`${svc.wsUrl}?token=${svc.token(c)}`, { headers: { cookie: `access_token=${svc.token(b)}` } });
      await expectIdentity(cookieWins, b);
    });
  });

  describe('refused upgrades: HTTP 401, no socket', () => {
    const expect401 = async (pathAndQuery: string, headers: Record<string, string> = {}): Promise<void> => {
      const before = svc.service.hub.size;
      const outcome = await rawUpgrade(svc, pathAndQuery, headers);
      expect(outcome.upgraded, 'upgrade must be refused').to.equal(false);
      if (outcome.upgraded) return;
      expect(outcome.status).to.equal(401);
      const body = JSON.parse(outcome.body) as { msg?: unknown };
      expect(body.msg).to.be.a('string');
      expect(svc.service.hub.size).to.equal(before);
    };
    const sub = (username: string) => ({ sub: `id-${username}`, username, exp: inAnHour() });

    it('no token at all', async () => {
      await expect401('/ws/events');
    });

    it('empty token parameter and empty bearer', async () => {
      await expect401('/ws/events?token=', { authorization: 'Bearer ' });
    });

    it('bad signature (query, header and cookie)', async () => {
      const forged = jwt.sign(sub(uniq('mallory')), 'not-the-secret', { algorithm: 'HS256' });
      await expect401(`/ws/events?token=${forged}`);
      await expect401('/ws/events', { authorization: `Bearer ${forged}` });
      await expect401('/ws/events', { cookie: `access_token=${forged}` });
    });

    it('a valid-looking header token wins over a valid query token: a bad header token is refused', async () => {
      const forged = jwt.sign(sub(uniq('mallory')), 'not-the-secret', { algorithm: 'HS256' });
      await expect401(`/ws/events?token=${svc.token(uniq('alice'))}`, { authorization: `Bearer ${forged}` });
    });

    it('expired token', async () => {
      const expired = jwt.sign({ ...sub(uniq('old')), exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET, { algorithm: 'HS256' });
      await expect401(`/ws/events?token=${expired}`);
    });

    it('token with alg none (unsigned), or another algorithm than the configured one', async () => {
      const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(sub(uniq('none')))}.`;
      await expect401(`/ws/events?token=${unsigned}`);
      await expect401('/ws/events', { authorization: `Bearer ${unsigned}` });
      const hs512 = jwt.sign(sub(uniq('hs512')), TEST_SECRET, { algorithm: 'HS512' });
      await expect401(`/ws/events?token=${hs512}`);
    });

    it('token with a bad username claim', async () => {
      for (const username of ['has space', '', 'x'.repeat(51), 'semi;colon', 42]) {
        const bad = jwt.sign({ sub: 'id-bad', username, exp: inAnHour() }, TEST_SECRET, { algorithm: 'HS256' });
        await expect401(`/ws/events?token=${bad}`);
      }
    });

    it('token without exp, or without sub', async () => {
      const noExp = jwt.sign({ sub: 'id-noexp', username: 'noexp' }, TEST_SECRET, { algorithm: 'HS256' });
      const noSub = jwt.sign({ username: 'nosub', exp: inAnHour() }, TEST_SECRET, { algorithm: 'HS256' });
      await expect401(`/ws/events?token=${noExp}`);
      await expect401(`/ws/events?token=${noSub}`);
    });

    it('the ws client sees the refusal as status 401', async () => {
      const error = await TestClient.connect(svc.wsUrl).then(
        async (c) => {
          await c.close();
          return undefined;
        },
        (e: unknown) => e as { statusCode?: number },
      );
      expect(error?.statusCode).to.equal(401);
    });
  });

  it('a token expiring while connected closes the socket with 3001', async () => {
    const alice = uniq('alice');
    const client = await svc.connect(alice, { token: svc.token(alice, { expiresInSeconds: 2 }) });
    const started = Date.now();
    const closed = await client.closed;
    expect(closed.code).to.equal(3001);
    expect(Date.now() - started).to.be.below(3000);
  });
});
