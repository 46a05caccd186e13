import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** One user of the demo in its own browser context, with what went wrong in its page. */
export interface DemoUser {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors (CSP violations among them) and uncaught exceptions. */
  readonly problems: string[];
}

/** Opens /demo in a new context and logs in with a username (the development-secret path). */
export const logIn = async (browser: Browser, baseUrl: string, name: string): Promise<DemoUser> =>
  logInOn(await browser.newContext({ viewport: { width: 1100, height: 800 } }), baseUrl, name);

/** Another tab of the same user: a new page in its context, logged in again (the page keeps its token in memory). */
export const anotherTab = (u: DemoUser, baseUrl: string): Promise<DemoUser> => logInOn(u.context, baseUrl, u.name);

const logInOn = async (context: BrowserContext, baseUrl: string, name: string): Promise<DemoUser> => {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${baseUrl}/demo`);
  await page.fill('#username', name);
  await page.click('#login-form button');
  await page.locator('#app').waitFor({ state: 'visible' });
  await page.locator('#connection', { hasText: 'open' }).waitFor();
  expect(await page.textContent('#me')).to.equal(name);
  return { name, context, page, problems };
};

export const openChat = async (u: DemoUser, peer: string): Promise<void> => {
  await u.page.fill('#peer', peer);
  await u.page.click('#open-chat button');
  await u.page.locator('#peer-name', { hasText: peer }).waitFor();
};

export const send = async (u: DemoUser, text: string): Promise<void> => {
  await u.page.fill('#message', text);
  await u.page.press('#message', 'Enter');
};

/** The contents of the open conversation's messages, in order. */
export const contents = (u: DemoUser): Promise<string[]> => u.page.locator('#messages .message .content').allTextContents();

export const chatItem = (u: DemoUser, peer: string) => u.page.locator(`#chats li.chat[data-username="${peer}"]`);

/** Polls until `probe` returns true (its last value is in the failure). */
export const eventually = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
