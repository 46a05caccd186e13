import { expect } from 'chai';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../../src/infrastructure/config/config.js';
import { originAllowed, sameHost } from '../../src/interfaces/http/origins.js';
import { startTestService, type TestService } from '../support/test-service.js';

const ALLOWED = 'http://app.example:5173';
const EVIL = 'https://evil.example';

/** The status of a WebSocket upgrade (101 when a socket opened), then closes it. */
const upgradeStatus = (url: string, headers: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });

describe('browser origins (ALLOWED_ORIGINS)', () => {
  let s: TestService;
  before(async () => {
    s = await startTestService({ allowedOrigins: [ALLOWED] });
  });
  after(async () => s.stop());

  it('parses ALLOWED_ORIGINS into normalised origins and refuses entries that are not origins', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: ' https://App.example/ , http://localhost:5173' }).allowedOrigins).to.deep.equal([
      'https://app.example',
      'http://localhost:5173',
    ]);
    expect(loadConfig({}).allowedOrigins).to.deep.equal([]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://app.example/path' })).to.throw(ConfigError, /ALLOWED_ORIGINS/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'app.example' })).to.throw(ConfigError);
  });

  it('originAllowed: no Origin is allowed, listed origins are, anything else (null included) is not', () => {
    const allowed = new Set([ALLOWED]);
    expect(originAllowed(undefined, allowed)).to.equal(true);
    expect(originAllowed(ALLOWED, allowed)).to.equal(true);
    expect(originAllowed('http://APP.example:5173', allowed)).to.equal(true);
    expect(originAllowed('http://app.example:5174', allowed)).to.equal(false);
    expect(originAllowed('null', allowed)).to.equal(false);
    expect(originAllowed(EVIL, allowed)).to.equal(false);
  });

  it('answers a preflight from an allowed origin without a token, with credentials, headers and methods', async () => {
    const res = await fetch(`${s.service.url}/api/chats/bob`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(res.status).to.equal(204);
    expect(res.headers.get('access-control-allow-origin')).to.equal(ALLOWED);
    expect(res.headers.get('access-control-allow-credentials')).to.equal('true');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).to.include.members(['authorization', 'content-type']);
    expect(res.headers.get('access-control-allow-methods')?.split(',')).to.include.members(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS']);
    expect(res.headers.get('vary')).to.match(/origin/i);
  });

  it('gives another origin no CORS header, on a preflight or an answer', async () => {
    const preflight = await fetch(`${s.service.url}/api/chats/bob`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'PUT' } });
    expect(preflight.headers.get('access-control-allow-origin')).to.equal(null);
    expect([...preflight.headers.keys()].filter((k) => k.startsWith('access-control-'))).to.deep.equal([]);
    const answer = await fetch(`${s.service.url}/api/chats/`, { headers: { origin: EVIL, authorization: `Bearer ${s.token('alice')}` } });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get('access-control-allow-origin')).to.equal(null);
    const allowed = await fetch(`${s.service.url}/api/chats/`, { headers: { origin: ALLOWED, authorization: `Bearer ${s.token('alice')}` } });
    expect(allowed.headers.get('access-control-allow-origin')).to.equal(ALLOWED);
    expect(allowed.headers.get('access-control-expose-headers')).to.equal('Retry-After');
  });

  it('refuses a cookie-authenticated POST from another origin with 403 JSON, and nothing is changed', async () => {
    const cookie = { cookie: `access_token=${s.token('carol')}` };
    const forged = await s.http('POST', '/api/notifications/mark_all_as_read', { headers: { ...cookie, origin: EVIL } });
    expect(forged.status).to.equal(403);
    expect(forged.body).to.have.property('msg').that.is.a('string');
    const nullOrigin = await s.http('PUT', '/api/blocks/alice', { headers: { ...cookie, origin: 'null' } });
    expect(nullOrigin.status).to.equal(403);
    const noOriginCrossSite = await s.http('DELETE', '/api/blocks/alice', { headers: { ...cookie, 'sec-fetch-site': 'cross-site' } });
    expect(noOriginCrossSite.status).to.equal(403);
    const blocks = await s.http('GET', '/api/blocks/', { username: 'carol' });
    expect(blocks.body).to.deep.equal({ items: [], count: 0 });
  });

  it('lets a cookie from an allowed origin, a cookie without Origin (not a browser) and a bearer token from anywhere through', async () => {
    const cookie = { cookie: `access_token=${s.token('dave')}` };
    expect((await s.http('POST', '/api/notifications/mark_all_as_read', { headers: { ...cookie, origin: ALLOWED } })).status).to.equal(200);
    expect((await s.http('POST', '/api/notifications/mark_all_as_read', { headers: cookie })).status).to.equal(200);
    expect((await s.http('POST', '/api/notifications/mark_all_as_read', { headers: { ...cookie, 'sec-fetch-site': 'same-origin' } })).status).to.equal(200);
    expect((await s.http('POST', '/api/notifications/mark_all_as_read', { username: 'dave', headers: { origin: EVIL } })).status).to.equal(200);
    expect((await s.http('GET', '/api/chats/', { headers: { ...cookie, origin: EVIL } })).status).to.equal(200);
  });

  it('refuses a WebSocket upgrade from another origin with 403 and opens no socket; allowed and absent Origins connect', async () => {
    const url = `${s.wsUrl}?token=${s.token('erin')}`;
    expect(await upgradeStatus(url, { origin: EVIL })).to.equal(403);
    expect(await upgradeStatus(url, { origin: 'null' })).to.equal(403);
    expect(s.service.hub.socketsOf('id-erin').size).to.equal(0);
    expect(await upgradeStatus(url, { origin: ALLOWED })).to.equal(101);
    expect(await upgradeStatus(url, {})).to.equal(101);
  });

  it("lets the service's own pages (Origin = its Host, e.g. /demo) open sockets, and nothing on another port or host", async () => {
    const url = `${s.wsUrl}?token=${s.token('fay')}`;
    const own = new URL(s.service.url);
    expect(await upgradeStatus(url, { origin: own.origin })).to.equal(101);
    expect(await upgradeStatus(url, { origin: `${own.protocol}//${own.hostname}:${own.port === '1' ? '2' : '1'}` })).to.equal(403);
    expect(await upgradeStatus(url, { origin: `${own.protocol}//evil.example:${own.port}` })).to.equal(403);
    expect(sameHost(undefined, own.host)).to.equal(false);
    expect(sameHost('not a url', own.host)).to.equal(false);
    expect(sameHost(own.origin, undefined)).to.equal(false);
  });

  it('sends security headers fitting an API: a CSP without outside sources, nosniff, no framing', async () => {
    const res = await fetch(`${s.service.url}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("default-src 'none'").and.include("frame-ancestors 'none'").and.include("style-src 'self'");
    expect(csp).not.to.match(/https?:|unsafe-inline|\*/);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-frame-options')).to.equal('DENY');
    expect(res.headers.get('x-powered-by')).to.equal(null);
  });
});
