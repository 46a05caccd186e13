import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { openApiDocument } from '../../src/interfaces/docs/openapi.js';
import { checkHttpAnswer, checkServerFrame } from '../support/contract.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { findChromium } from './chromium.js';
import { startPageServer, type PageServer } from './page-server.js';

/** The browser globals the page scripts use (the test project has no DOM typings). */
interface BrowserSocket {
  send(text: string): void;
  close(): void;
  onopen: (() => void) | null;
  onmessage: ((e: { data: string }) => void) | null;
  onclose: ((e: { code: number }) => void) | null;
  onerror: (() => void) | null;
}
interface PageGlobals {
  WebSocket: new (url: string) => BrowserSocket;
  frames: Array<{ action: string; data: Record<string, unknown> }>;
  socket?: BrowserSocket;
  socketEvents: string[];
}
interface Answer {
  readonly status: number;
  readonly text: string;
}

const root = join(import.meta.dirname, '..', '..', '..');
const ARTIFACTS = join(root, 'test-artifacts');

/** fetch from the page; `auth` is a bearer token, or 'cookie' to rely on the access_token cookie. */
const call = (page: Page, url: string, method: string, auth: string): Promise<Answer> =>
  page.evaluate(
    async ({ url, method, auth }) => {
      const headers: Record<string, string> = auth === 'cookie' ? {} : { Authorization: `Bearer ${auth}` };
      const res = await fetch(url, { method, headers, credentials: auth === 'cookie' ? 'include' : 'omit' });
      return { status: res.status, text: await res.text() };
    },
    { url, method, auth },
  );

/** Opens a socket from the page and keeps every frame it receives on `frames`. */
const openSocket = (page: Page, url: string): Promise<string> =>
  page.evaluate((url) => {
    const g = globalThis as unknown as PageGlobals;
    g.frames = [];
    g.socketEvents = [];
    return new Promise<string>((resolve) => {
      const ws = new g.WebSocket(url);
      g.socket = ws;
      ws.onmessage = (e) => g.frames.push(JSON.parse(e.data) as PageGlobals['frames'][number]);
      ws.onopen = () => {
        g.socketEvents.push('open');
        resolve('open');
      };
      ws.onerror = () => g.socketEvents.push('error');
      ws.onclose = (e) => {
        g.socketEvents.push(`close ${e.code}`);
        resolve(`close ${e.code}`);
      };
    });
  }, url);

const framesOf = (page: Page): Promise<PageGlobals['frames']> => page.evaluate(() => (globalThis as unknown as PageGlobals).frames);

const waitForFrame = async (page: Page, predicate: (f: PageGlobals['frames'][number]) => boolean, timeoutMs = 5000): Promise<PageGlobals['frames']> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = await framesOf(page);
    if (frames.some(predicate)) return frames;
    if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(frames).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('in a real browser (headless Chromium)', function () {
  this.timeout(60_000);
  const executablePath = findChromium();
  let startedAt = 0;
  let s: TestService;
  let allowedPage: PageServer;
  let otherPage: PageServer;
  let browser: Browser;
  let api: string;
  let wsBase: string;
  const contexts: BrowserContext[] = [];

  const newPage = async (origin: string, cookieUser?: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    if (cookieUser !== undefined) {
      await context.addCookies([{ name: 'access_token', value: s.token(cookieUser), domain: 'localhost', path: '/', httpOnly: true, sameSite: 'Lax' }]);
    }
    const page = await context.newPage();
    await page.goto(origin);
    return page;
  };

  before(async function () {
    if (executablePath === undefined) {
      process.stderr.write('    browser tests skipped: no chromium binary (apt-get install chromium, or set CHROMIUM_PATH)\n');
      this.skip();
    }
    startedAt = Date.now();
    allowedPage = await startPageServer();
    otherPage = await startPageServer();
    s = await startTestService({ allowedOrigins: [allowedPage.origin] });
    api = s.service.url.replace('127.0.0.1', 'localhost');
    wsBase = `${api.replace('http', 'ws')}/ws/events`;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    // Users the pages talk about exist before the pages do.
    for (const name of ['bob', 'dave']) expect((await s.http('GET', '/api/chats/', { username: name })).status).to.equal(200);
  });

  after(async () => {
    if (executablePath === undefined) return;
    for (const c of contexts) await c.close();
    await browser?.close();
    await s?.stop();
    await allowedPage?.close();
    await otherPage?.close();
    process.stderr.write(`    browser tests took ${Date.now() - startedAt} ms\n`);
  });

  const everyEndpoint = (peer: string): Array<[string, string, number]> => [
    ['GET', '/api/chats/', 200],
    ['PUT', `/api/chats/${peer}`, 201],
    ['PUT', `/api/chats/${peer}/`, 200],
    ['GET', `/api/chats/${peer}/messages`, 200],
    ['GET', `/api/chats/${peer}/history`, 200],
    ['GET', '/api/notifications/?is_read=unread', 200],
    ['POST', '/api/notifications/mark_all_as_read', 200],
    ['GET', '/api/blocks/', 200],
    ['PUT', `/api/blocks/${peer}`, 200],
    ['DELETE', `/api/blocks/${peer}`, 200],
    ['GET', '/api/openapi.json', 200],
    ['GET', '/api/asyncapi.json', 200],
  ];

  for (const auth of ['bearer', 'cookie'] as const) {
    it(`an allowed origin calls every REST endpoint with the ${auth === 'bearer' ? 'Authorization header (preflighted)' : 'access_token cookie'}`, async () => {
      const user = auth === 'bearer' ? 'alice' : 'carol';
      const page = await newPage(allowedPage.origin, auth === 'cookie' ? user : undefined);
      for (const [method, path, status] of everyEndpoint('bob')) {
        const answer = await call(page, api + path, method, auth === 'cookie' ? 'cookie' : s.token(user));
        expect(answer.status, `${method} ${path}: ${answer.text}`).to.equal(status);
        checkHttpAnswer(method, path, answer.status, JSON.parse(answer.text));
      }
      const chats = JSON.parse((await call(page, `${api}/api/chats/`, 'GET', auth === 'cookie' ? 'cookie' : s.token(user))).text) as {
        items: Array<{ username: string }>;
      };
      expect(chats.items.map((c) => c.username)).to.deep.equal(['bob']);
    });
  }

  it('an allowed origin opens sockets (cookie, and ?token=) and receives frames', async () => {
    const watcher = await newPage(allowedPage.origin);
    expect(await openSocket(watcher, `${wsBase}?token=${s.token('alice')}`)).to.equal('open');
    const page = await newPage(allowedPage.origin, 'carol');
    const chat = JSON.parse((await call(page, `${api}/api/chats/bob`, 'PUT', 'cookie')).text) as { chat_id: string };
    expect(await openSocket(page, wsBase)).to.equal('open');
    await page.evaluate((chatId) => {
      const g = globalThis as unknown as PageGlobals;
      g.socket?.send(
        JSON.stringify({ action: 'new_message', data: { chat_id: chatId, content: '  hello from a browser  ', timestamp: new Date().toISOString() } }),
      );
    }, chat.chat_id);
    const carolFrames = await waitForFrame(page, (f) => f.action === 'new_message');
    const aliceFrames = await waitForFrame(watcher, (f) => f.action === 'user_online' && f.data['username'] === 'carol');
    for (const f of [...carolFrames, ...aliceFrames]) checkServerFrame(f);
    const message = carolFrames.find((f) => f.action === 'new_message');
    expect(message?.data).to.include({ chat_id: chat.chat_id, content: 'hello from a browser', sender: 'carol' });
    expect(s.service.hub.socketsOf('id-carol').size).to.equal(1);
  });

  it('another origin: its socket is refused (403, no socket), its cookie POST is refused (403), it gets no CORS header', async () => {
    // dave has an unread notification, and his cookie is in this browser.
    const alice = await s.connect('alice');
    alice.send('add_new_friend', { sender_id: 'id-alice', receiver_id: 'id-dave' });
    for (let i = 0; ; i++) {
      const unread = await s.http('GET', '/api/notifications/?is_read=unread', { username: 'dave' });
      if ((unread.body as { count: number }).count === 1) break;
      if (i > 50) throw new Error('the notification did not arrive');
      await new Promise((r) => setTimeout(r, 50));
    }
    await alice.close();
    const page = await newPage(otherPage.origin, 'dave');

    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const upgrade = page.waitForEvent('websocket');
    expect(await openSocket(page, wsBase)).to.equal('close 1006');
    // Chromium reports the refused handshake's status on the console.
    expect(consoleErrors.join('\n')).to.match(/WebSocket connection to .* failed: .*Unexpected response code: 403/);
    const ws = await upgrade;
    expect(ws.url()).to.equal(wsBase);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).socketEvents)).to.deep.equal(['error', 'close 1006']);
    expect(s.service.hub.socketsOf('id-dave').size, 'no socket of dave opened on the server').to.equal(0);

    const posted = page.waitForResponse((r) => r.url().endsWith('/mark_all_as_read'));
    await page.evaluate(async (url) => {
      await fetch(url, { method: 'POST', credentials: 'include', mode: 'no-cors' });
    }, `${api}/api/notifications/mark_all_as_read`);
    const response = await posted;
    // 403, not 401: the browser did attach dave's cookie, and the server refused the forgery.
    expect(response.status()).to.equal(403);
    const stillUnread = await s.http('GET', '/api/notifications/?is_read=unread', { username: 'dave' });
    expect((stillUnread.body as { count: number }).count).to.equal(1);

    expect(Object.keys(await response.allHeaders()).filter((h) => h.startsWith('access-control-'))).to.deep.equal([]);

    // A read in cors mode: the server answers (bearer-free, cookie-authenticated GET) but the browser withholds it.
    const outcome = await page.evaluate(async (url) => {
      try {
        await fetch(url, { credentials: 'include' });
        return 'read';
      } catch (err) {
        return `blocked: ${String(err)}`;
      }
    }, `${api}/api/chats/`);
    expect(outcome).to.match(/^blocked: TypeError/);
    const preflighted = await page.evaluate(
      async ({ url, token }) => {
        try {
          await fetch(url, { method: 'PUT', headers: { Authorization: `Bearer ${token}` } });
          return 'sent';
        } catch {
          return 'blocked';
        }
      },
      { url: `${api}/api/blocks/alice`, token: s.token('dave') },
    );
    expect(preflighted).to.equal('blocked');
    expect((await s.http('GET', '/api/blocks/', { username: 'dave' })).body).to.deep.equal({ items: [], count: 0 });
  });

  it('renders /docs under its CSP (own stylesheet applied, no violation) and keeps a screenshot', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const response = await page.goto(`${api}/docs`);
    expect(response?.status()).to.equal(200);
    expect(await page.title()).to.equal('chat-events API');
    expect(await page.locator('h1').textContent()).to.equal('chat-events API');
    expect(
      await page
        .locator('header')
        .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor),
    ).to.equal('rgb(29, 47, 79)');
    const operations = Object.values(openApiDocument()['paths'] as Record<string, Record<string, unknown>>).flatMap((item) => Object.keys(item));
    expect(await page.locator('section.op').count()).to.equal(operations.length);
    expect(await page.locator('section.msg').count()).to.be.greaterThan(30);
    expect(problems).to.deep.equal([]);
    const png = await page.screenshot({ fullPage: false });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'docs.png'), png);
    // Not blank: decode the PNG in the browser and count its colours.
    const blank = await context.newPage();
    const colours = await blank.evaluate(
      async (dataUrl) => {
        type Img = { src: string; onload: () => void; width: number; height: number };
        type Ctx = { drawImage(i: Img, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
        const d = globalThis as unknown as {
          Image: new () => Img;
          document: { createElement(t: string): { width: number; height: number; getContext(t: string): Ctx } };
        };
        const img = new d.Image();
        await new Promise<void>((resolve) => {
          img.onload = resolve;
          img.src = dataUrl;
        });
        const canvas = d.document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < data.length; i += 4 * 7) seen.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
        return { size: [img.width, img.height], colours: seen.size };
      },
      `data:image/png;base64,${png.toString('base64')}`,
    );
    expect(colours.size).to.deep.equal([1280, 1000]);
    expect(colours.colours).to.be.greaterThan(20);
  });
});
