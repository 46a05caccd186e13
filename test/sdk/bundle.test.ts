import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from '../browser/chromium.js';
import { startPageServer, type PageServer } from '../browser/page-server.js';
import { startTestService, type TestService } from '../support/test-service.js';

const bundlePath = join(import.meta.dirname, '..', '..', '..', 'sdk', 'dist', 'client.js');

describe('sdk: the bundle (sdk/dist/client.js, built by npm run build)', function () {
  this.timeout(60_000);

  it('is self-contained ESM: no server code, no Node modules', () => {
    expect(existsSync(bundlePath), 'run npm run build').to.equal(true);
    const code = readFileSync(bundlePath, 'utf8');
    expect(code).to.not.match(/\brequire\(|from\s*["']node:|import\(["']node:|io-ts|fp-ts/);
    expect(gzipSync(code).length).to.be.below(10_000);
  });

  describe('in headless Chromium, on the browser’s own WebSocket, fetch and crypto', () => {
    const executablePath = findChromium();
    let svc: TestService;
    let page: PageServer;
    let browser: Browser;

    before(async function () {
      if (executablePath === undefined) {
        process.stderr.write('    SDK browser test skipped: no chromium binary\n');
        this.skip();
      }
      page = await startPageServer();
      svc = await startTestService({ allowedOrigins: [page.origin] });
      browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    });
    after(async () => {
      if (executablePath === undefined) return;
      await browser?.close();
      await svc?.stop();
      await page?.close();
    });

    it('connects, opens a chat over REST and sends a message that resolves with the stored one', async () => {
      expect((await svc.http('GET', '/api/chats/', { username: 'bob' })).status).to.equal(200);
      const tab = await (await browser.newContext()).newPage();
      await tab.goto(page.origin);
      const api = svc.service.url.replace('127.0.0.1', 'localhost');
      const result = await tab.evaluate(
        async ({ code, api, token }) => {
          const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
          const sdk = (await import(url)) as {
            ChatClient: new (o: { baseUrl: string; getToken: () => Promise<string> }) => {
              connect(): Promise<void>;
              rest: { openChat(u: string): Promise<{ chat_id: string }> };
              sendMessage(chatId: string, content: string): Promise<{ content: string; sender: string; client_msg_id?: string }>;
              close(): void;
            };
          };
          const client = new sdk.ChatClient({ baseUrl: api, getToken: async () => token });
          await client.connect();
          const chat = await client.rest.openChat('bob');
          const message = await client.sendMessage(chat.chat_id, ' from the browser ');
          client.close();
          return message;
        },
        { code: readFileSync(bundlePath, 'utf8'), api, token: svc.token('alice') },
      );
      expect(result).to.include({ content: 'from the browser', sender: 'alice' });
    });
  });
});
