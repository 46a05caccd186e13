import { expect } from 'chai';
import { ChatApiError } from '../../sdk/src/errors.js';
import type { Fetch } from '../../sdk/src/platform.js';
import { RestClient, retryAfterMs } from '../../sdk/src/rest-client.js';
import { TokenSource } from '../../sdk/src/tokens.js';
import { FakeClock, fakeJwt, flush } from './fakes.js';

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const setup = (answers: Answer[]) => {
  const clock = new FakeClock();
  const requests: { url: string; method: string; headers: Record<string, string> }[] = [];
  const fetch: Fetch = async (url, init) => {
    requests.push({ url, method: init.method, headers: init.headers });
    const a = answers.shift() ?? { status: 200, body: {} };
    return {
      status: a.status,
      headers: { get: (n: string) => a.headers?.[n.toLowerCase()] ?? null },
      text: async () => (a.body === undefined ? '' : JSON.stringify(a.body)),
    };
  };
  let issued = 0;
  const tokens = new TokenSource(async () => fakeJwt({ sub: 'id-alice', exp: 2e9, n: ++issued }), clock, 60_000);
  const rest = new RestClient({ baseUrl: 'https://api.example/', fetch, tokens, clock });
  return { rest, requests, clock, issued: () => issued };
};

describe('sdk: RestClient', () => {
  it('has a method for every endpoint, with the bearer token', async () => {
    const { rest, requests } = setup([]);
    await rest.chats({ limit: 5, offset: 10 });
    await rest.openChat('bob');
    await rest.messages('b.o_b', { limit: 1 });
    await rest.history('bob');
    await rest.historyAt('bob', '2026-01-01T00:00:00Z');
    await rest.notifications({ isRead: 'unread' });
    await rest.notifications();
    await rest.markAllNotificationsRead();
    await rest.blocks();
    await rest.block('carol');
    await rest.unblock('carol');
    expect(requests.map((r) => `${r.method} ${r.url.replace('https://api.example', '')}`)).to.deep.equal([
      'GET /api/chats/?limit=5&offset=10',
      'PUT /api/chats/bob',
      'GET /api/chats/b.o_b/messages?limit=1',
      'GET /api/chats/bob/history',
      'GET /api/chats/bob/history?at=2026-01-01T00%3A00%3A00Z',
      'GET /api/notifications/?is_read=unread',
      'GET /api/notifications/',
      'POST /api/notifications/mark_all_as_read',
      'GET /api/blocks/',
      'PUT /api/blocks/carol',
      'DELETE /api/blocks/carol',
    ]);
    for (const r of requests) expect(r.headers['authorization']).to.match(/^Bearer [\w-]+\.[\w-]+\.sig$/);
  });

  it('turns an error answer into a ChatApiError with status and msg', async () => {
    const { rest } = setup([{ status: 404, body: { msg: 'No such user' } }]);
    const err = await rest.openChat('nobody').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ChatApiError);
    expect(err).to.include({ status: 404, msg: 'No such user' });
  });

  it('retries a 503 after its Retry-After, a bounded number of times', async () => {
    const { rest, requests, clock } = setup([
      { status: 503, body: { msg: 'busy' }, headers: { 'retry-after': '2' } },
      { status: 503, body: { msg: 'busy' } },
      { status: 200, body: { items: [], count: 0 } },
    ]);
    let result: unknown;
    void rest.blocks().then((r) => (result = r));
    await flush();
    expect(requests).to.have.length(1);
    await clock.advance(1999);
    expect(requests).to.have.length(1);
    await clock.advance(1);
    expect(requests).to.have.length(2);
    await clock.advance(1000);
    expect(requests).to.have.length(3);
    expect(result).to.deep.equal({ items: [], count: 0 });

    const busy = setup(Array.from({ length: 10 }, () => ({ status: 503, body: { msg: 'still busy' }, headers: { 'retry-after': '0' } })));
    const failed = busy.rest.chats().catch((e: unknown) => e);
    await busy.clock.advance(0);
    const err = await failed;
    expect(err).to.include({ status: 503, msg: 'still busy' });
    expect(busy.requests).to.have.length(4);
  });

  it('on a 401 asks for a new token once and tries again', async () => {
    const { rest, requests, issued } = setup([
      { status: 401, body: { msg: 'Invalid token' } },
      { status: 200, body: { msg: 'ok' } },
    ]);
    expect(await rest.markAllNotificationsRead()).to.deep.equal({ msg: 'ok' });
    expect(issued()).to.equal(2);
    expect(requests[0]?.headers['authorization']).to.not.equal(requests[1]?.headers['authorization']);
    const denied = setup([
      { status: 401, body: { msg: 'no' } },
      { status: 401, body: { msg: 'no' } },
    ]);
    expect(await denied.rest.chats().catch((e: unknown) => e)).to.include({ status: 401 });
  });

  it('reads Retry-After as seconds or an HTTP date, bounded', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).to.equal(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).to.equal(5000);
    expect(retryAfterMs(null, now)).to.equal(1000);
    expect(retryAfterMs('soon', now)).to.equal(1000);
    expect(retryAfterMs('3600', now)).to.equal(30_000);
  });
});
