import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { TEST_SECRET, type TestService } from '../support/test-service.js';
import {
  expectBlockedUser,
  expectChat,
  expectChatMessage,
  expectChatPreview,
  expectError,
  expectMsg,
  expectNotification,
  expectPage,
  idOf,
  makeKnown,
  startHttpTestService,
  uniqueName,
  type HttpAnswer,
} from './http-helpers.js';

/** Each path with and without its trailing slash (PROTOCOL.md: both are served). */
const bothSlashes = (path: string): readonly [string, string] => (path.endsWith('/') ? [path.slice(0, -1), path] : [path, `${path}/`]);

describe('REST: routes, authentication and errors', function () {
  let svc: TestService;
  let me: string;
  let peer: string;

  before(async () => {
    svc = await startHttpTestService();
    me = uniqueName('routes_me');
    peer = uniqueName('routes_peer');
    await makeKnown(svc, me, peer);
  });
  after(async () => {
    await svc.stop();
  });

  describe('health', () => {
    for (const path of [...bothSlashes('/healthz'), ...bothSlashes('/readyz')]) {
      it(`GET ${path} answers 200 JSON without a token`, async () => {
        const res = await svc.http('GET', path);
        expect(res.status).to.equal(200);
        expect(res.body).to.be.an('object');
      });
    }
  });

  describe('every endpoint with and without its trailing slash', () => {
    for (const path of bothSlashes('/api/chats/')) {
      it(`GET ${path} → 200 page of ChatPreview`, async () => {
        expectPage(await svc.http('GET', path, { username: me }), expectChatPreview);
      });
    }

    it('PUT /api/chats/{username} and /api/chats/{username}/ → 201 then 200 with the same Chat', async () => {
      const [bare, slashed] = bothSlashes(`/api/chats/${peer}`);
      const created = await svc.http('PUT', bare, { username: me });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const again = await svc.http('PUT', slashed, { username: me });
      expect(again.status, JSON.stringify(again.body)).to.equal(200);
      expect(expectChat(again.body).chat_id).to.equal(expectChat(created.body).chat_id);
      const reverse = await svc.http('PUT', `/api/chats/${me}/`, { username: peer });
      expect(reverse.status).to.equal(200);
      expect(expectChat(reverse.body).chat_id).to.equal(expectChat(created.body).chat_id);
    });

    for (const slash of [false, true]) {
      it(`GET /api/chats/{username}/messages${slash ? '/' : ''} → 200 page of ChatMessage`, async () => {
        await svc.http('PUT', `/api/chats/${peer}`, { username: me });
        expectPage(await svc.http('GET', `/api/chats/${peer}/messages${slash ? '/' : ''}`, { username: me }), expectChatMessage);
      });
    }

    for (const path of bothSlashes('/api/notifications/')) {
      for (const isRead of [undefined, 'all', 'unread', 'false', 'read', 'true']) {
        const url = isRead === undefined ? path : `${path}?is_read=${isRead}`;
        it(`GET ${url} → 200 page of Notification`, async () => {
          expectPage(await svc.http('GET', url, { username: me }), expectNotification);
        });
      }
    }

    for (const path of bothSlashes('/api/notifications/mark_all_as_read')) {
      it(`POST ${path} → 200 { msg }`, async () => {
        expectMsg(await svc.http('POST', path, { username: me }));
      });
    }

    for (const path of bothSlashes('/api/blocks/')) {
      it(`GET ${path} → 200 page of blocked users`, async () => {
        expectPage(await svc.http('GET', path, { username: me }), expectBlockedUser);
      });
    }

    for (const slash of [false, true]) {
      it(`PUT and DELETE /api/blocks/{username}${slash ? '/' : ''} → 200 { msg }`, async () => {
        const target = uniqueName('routes_target');
        await makeKnown(svc, target);
        const path = `/api/blocks/${target}${slash ? '/' : ''}`;
        expectMsg(await svc.http('PUT', path, { username: me }));
        expect(expectPage(await svc.http('GET', '/api/blocks', { username: me }), expectBlockedUser).items.map((b) => b.username)).to.include(target);
        expectMsg(await svc.http('DELETE', path, { username: me }));
        expect(expectPage(await svc.http('GET', '/api/blocks', { username: me }), expectBlockedUser).items.map((b) => b.username)).not.to.include(target);
      });
    }
  });

  describe('JSON everywhere', () => {
    it('answers errors and health with Content-Type application/json', async () => {
      const cases: Array<[string, string, Record<string, string>, number]> = [
        ['GET', '/healthz', {}, 200],
        ['GET', '/readyz/', {}, 200],
        ['GET', '/api/chats/', {}, 401],
        ['GET', '/api/chats/?limit=0', { authorization: `Bearer ${svc.token(me)}` }, 400],
        ['GET', '/api/nope', { authorization: `Bearer ${svc.token(me)}` }, 404],
        ['PUT', `/api/chats/${me}`, { authorization: `Bearer ${svc.token(me)}` }, 422],
      ];
      for (const [method, path, headers, status] of cases) {
        const res = await fetch(svc.service.url + path, { method, headers });
        expect(res.status, `${method} ${path}`).to.equal(status);
        expect(res.headers.get('content-type'), `${method} ${path}`).to.match(/^application\/json\b/);
        expect(await res.json()).to.be.an('object');
      }
    });

    it('answers 400 { msg } to a malformed JSON body', async () => {
      const res = await fetch(`${svc.service.url}/api/notifications/mark_all_as_read`, {
        method: 'POST',
        headers: { authorization: `Bearer ${svc.token(me)}`, 'content-type': 'application/json' },
        body: '{not json',
      });
      expectError({ status: res.status, body: await res.json() }, 400);
    });
  });

  describe('400 on malformed parameters', () => {
    const paginated = (): string[] => ['/api/chats/', `/api/chats/${peer}/messages`, '/api/notifications/', '/api/blocks/'];
    const bad = ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'limit=1.5', 'limit=', 'offset=abc', 'limit=1&limit=2'];

    it('answers 400 { msg } for every bad limit/offset on every paginated endpoint', async () => {
      await svc.http('PUT', `/api/chats/${peer}`, { username: me });
      for (const path of paginated()) {
        for (const q of bad) {
          const res = await svc.http('GET', `${path}?${q}`, { username: me });
          expectError(res, 400);
        }
      }
    });

    it('accepts the bounds limit=1, limit=100 and offset=0', async () => {
      for (const path of paginated()) {
        for (const q of ['limit=1', 'limit=100', 'offset=0', 'limit=100&offset=0']) {
          const res = await svc.http('GET', `${path}?${q}`, { username: me });
          expect(res.status, `${path}?${q}: ${JSON.stringify(res.body)}`).to.equal(200);
        }
      }
    });

    it('answers 400 { msg } for is_read=maybe (and other unknown values)', async () => {
      for (const q of ['is_read=maybe', 'is_read=', 'is_read=TRUE', 'is_read=1']) {
        expectError(await svc.http('GET', `/api/notifications/?${q}`, { username: me }), 400);
        expectError(await svc.http('GET', `/api/notifications?${q}`, { username: me }), 400);
      }
    });
  });

  describe('401 without a valid token', () => {
    const endpoints = (): Array<[string, string]> => [
      ['GET', '/api/chats/'],
      ['GET', '/api/chats'],
      ['PUT', `/api/chats/${peer}`],
      ['GET', `/api/chats/${peer}/messages`],
      ['GET', '/api/notifications/'],
      ['POST', '/api/notifications/mark_all_as_read'],
      ['GET', '/api/blocks/'],
      ['PUT', `/api/blocks/${peer}`],
      ['DELETE', `/api/blocks/${peer}`],
      ['GET', '/api/no-such-route'],
    ];

    it('answers 401 { msg } with no token at all', async () => {
      for (const [method, path] of endpoints()) expectError(await svc.http(method, path), 401);
    });

    it('answers 401 { msg } with a malformed, a foreign-signed, an unsigned or an expired token', async () => {
      const name = uniqueName('routes_bad');
      const tokens = [
        'not-a-jwt',
        jwt.sign({ username: name }, 'another-secret', { algorithm: 'HS256', subject: idOf(name), expiresIn: 3600 }),
        jwt.sign({ username: name }, '', { algorithm: 'none', subject: idOf(name), expiresIn: 3600 }),
        // `exp` is required.
        jwt.sign({ username: name, sub: idOf(name) }, TEST_SECRET, { algorithm: 'HS256' }),
        svc.token(name, { expiresInSeconds: -60 }),
      ];
      for (const token of tokens) {
        for (const [method, path] of endpoints()) expectError(await svc.http(method, path, { token }), 401);
      }
      // None of these made the user known.
      expectError(await svc.http('PUT', `/api/chats/${name}`, { username: me }), 404);
    });

    it('accepts the token from the access_token cookie, and refuses an expired one there', async () => {
      const name = uniqueName('routes_cookie');
      const ok = await svc.http('GET', '/api/chats/', { headers: { cookie: `theme=dark; access_token=${svc.token(name)}` } });
      expectPage(ok, expectChatPreview);
      const expired = await svc.http('GET', '/api/chats/', { headers: { cookie: `access_token=${svc.token(name, { expiresInSeconds: -60 })}` } });
      expectError(expired, 401);
      expectError(await svc.http('GET', '/api/chats/', { headers: { cookie: 'access_token=garbage' } }), 401);
      // The cookie's first valid token made the user known.
      expect((await svc.http('PUT', `/api/chats/${name}`, { username: me })).status).to.equal(201);
    });

    it('accepts the Bearer header and makes the user known on first use', async () => {
      const name = uniqueName('routes_bearer');
      expectError(await svc.http('PUT', `/api/chats/${name}`, { username: me }), 404);
      expectPage(await svc.http('GET', '/api/notifications', { headers: { authorization: `Bearer ${svc.token(name)}` } }), expectNotification);
      expect((await svc.http('PUT', `/api/chats/${name}`, { username: me })).status).to.equal(201);
    });
  });

  describe('404', () => {
    it('answers 404 { msg } for an unknown user on chats, messages and blocks', async () => {
      const ghost = uniqueName('ghost');
      for (const [method, path] of [
        ['PUT', `/api/chats/${ghost}`],
        ['PUT', `/api/chats/${ghost}/`],
        ['GET', `/api/chats/${ghost}/messages`],
        ['GET', `/api/chats/${ghost}/messages/`],
        ['PUT', `/api/blocks/${ghost}`],
        ['PUT', `/api/blocks/${ghost}/`],
        ['DELETE', `/api/blocks/${ghost}`],
        ['DELETE', `/api/blocks/${ghost}/`],
        // Not even a possible username.
        ['PUT', `/api/chats/${encodeURIComponent('no such user!')}`],
        ['PUT', `/api/blocks/${'x'.repeat(51)}`],
      ] as const) {
        const res: HttpAnswer = await svc.http(method, path, { username: me });
        expectError(res, 404);
      }
    });

    it('answers 404 { msg } for the messages of a chat that does not exist', async () => {
      const stranger = uniqueName('stranger');
      await makeKnown(svc, stranger);
      expectError(await svc.http('GET', `/api/chats/${stranger}/messages`, { username: me }), 404);
      expectError(await svc.http('GET', `/api/chats/${me}/messages`, { username: stranger }), 404);
    });

    it('answers 404 { msg } for unknown routes and methods under /api (and elsewhere)', async () => {
      for (const [method, path] of [
        ['GET', '/api/nope'],
        ['GET', '/api/'],
        ['GET', '/api'],
        ['GET', `/api/chats/${peer}/nope`],
        ['POST', '/api/chats/'],
        ['GET', '/api/notifications/mark_all_as_read'],
        ['DELETE', '/api/blocks/'],
        ['GET', '/nope'],
      ] as const) {
        const res = await svc.http(method, path, { username: me });
        expectError(res, 404);
      }
    });
  });

  describe('422', () => {
    it('refuses a chat with oneself', async () => {
      expectError(await svc.http('PUT', `/api/chats/${me}`, { username: me }), 422);
      expectError(await svc.http('PUT', `/api/chats/${me}/`, { username: me }), 422);
    });

    it('refuses to block or unblock oneself', async () => {
      expectError(await svc.http('PUT', `/api/blocks/${me}`, { username: me }), 422);
      expectError(await svc.http('DELETE', `/api/blocks/${me}/`, { username: me }), 422);
    });
  });
});
