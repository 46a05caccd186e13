import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { startTestService, TEST_SECRET, type TestService } from '../support/test-service.js';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
/** Signed by hand: jsonwebtoken refuses to sign some of the payloads a client may send. */
const hs256 = (payload: object): string => {
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', TEST_SECRET).update(unsigned).digest('base64url')}`;
};
const inOneHour = (): number => Math.floor(Date.now() / 1000) + 3600;

/** A raw request, so that headers past node's limit (16 KiB) really leave the client. */
const rawGet = (url: string, headers: Record<string, string>): Promise<{ status: number; contentType: string | undefined; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('REST: token problems in plain words, oversized headers as JSON', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  const answer = async (token: string) => svc.http('GET', '/api/chats/', { token });

  const cases: [string, () => string, string][] = [
    ['no expiry', () => jwt.sign({ sub: 'id-a', username: 'a' }, TEST_SECRET, { noTimestamp: true }), 'token has no expiry (exp)'],
    ['an expired token', () => jwt.sign({ sub: 'id-a', username: 'a', exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET), 'token expired'],
    ['another secret', () => jwt.sign({ sub: 'id-a', username: 'a', exp: inOneHour() }, 'some-other-secret-entirely'), 'token signature is invalid'],
    ['not a JWT', () => 'not-a-jwt', 'token is malformed: expected header.payload.signature in base64url'],
    [
      'alg none',
      () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'id-a', username: 'a', exp: inOneHour() })}.`,
      'token is not signed: HS256 is required',
    ],
    ['no username', () => jwt.sign({ sub: 'id-a', exp: inOneHour() }, TEST_SECRET), 'token has no username'],
    [
      'a bad username and no subject',
      () => jwt.sign({ username: 'a b', exp: inOneHour() }, TEST_SECRET),
      'token has no subject (sub); token username must be 1 to 50 letters, digits, "_", "-" or "."',
    ],
    ['exp not a number', () => hs256({ sub: 'id-a', username: 'a', exp: 'tomorrow' }), 'token expiry (exp) is not a number of seconds'],
  ];
  for (const [what, token, msg] of cases) {
    it(`401 for ${what}: ${msg}`, async () => {
      const r = await answer(token());
      expect(r).to.deep.equal({ status: 401, body: { msg } });
    });
  }

  it('no token at all is still "A token is required"', async () => {
    expect(await svc.http('GET', '/api/chats/')).to.deep.equal({ status: 401, body: { msg: 'A token is required' } });
  });

  it('a 17 KB token (headers past the limit) gets 431 with a JSON { msg }, and the server goes on serving', async () => {
    const r = await rawGet(`${svc.service.url}/api/chats/`, { authorization: `Bearer ${'a'.repeat(17_000)}` });
    expect(r.status).to.equal(431);
    expect(r.contentType).to.match(/^application\/json/);
    expect(JSON.parse(r.body)).to.deep.equal({ msg: 'Request headers too large (a token or cookie this long is refused)' });
    expect((await svc.http('GET', '/healthz')).status).to.equal(200);
  });

  it('a malformed request line gets 400 with a JSON { msg }', async () => {
    const { connect } = await import('node:net');
    const socket = connect(svc.service.port, '127.0.0.1');
    socket.setEncoding('utf8');
    let raw = '';
    socket.on('data', (d: string) => (raw += d));
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expect(raw).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).to.deep.equal({ msg: 'Bad request: malformed HTTP' });
  });
});
