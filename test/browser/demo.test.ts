import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { startTestService, type TestService } from '../support/test-service.js';
import { sleep } from '../support/wait.js';
import { findChromium } from './chromium.js';
import { anotherTab, chatItem, contents, eventually, logIn, openChat, send, type DemoUser } from './demo-page.js';

const root = join(import.meta.dirname, '..', '..', '..');
const ARTIFACTS = join(root, 'test-artifacts');

const screenshot = async (u: DemoUser, name: string): Promise<void> => {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, name), await u.page.screenshot());
};

describe('the /demo app in a real browser (headless Chromium, two users)', function () {
  this.timeout(90_000);
  const executablePath = findChromium();
  let startedAt = 0;
  let s: TestService;
  let browser: Browser;
  let alice: DemoUser;
  let bob: DemoUser;
  /** Everyone who logged in, closed contexts included, for the last test. */
  const everyone: DemoUser[] = [];
  const login = async (name: string): Promise<DemoUser> => {
    const user = await logIn(browser, s.service.url, name);
    everyone.push(user);
    return user;
  };

  before(async function () {
    if (executablePath === undefined) {
      process.stderr.write('    demo browser tests skipped: no chromium binary (apt-get install chromium, or set CHROMIUM_PATH)\n');
      this.skip();
    }
    startedAt = Date.now();
    // No JWT_SECRET: the service generates its development secret, so the page can mint tokens.
    s = await startTestService({}, undefined, { devSecret: true });
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    alice = await login('alice');
    bob = await login('bob');
  });

  after(async () => {
    if (executablePath === undefined) return;
    await browser?.close();
    await s?.stop();
    process.stderr.write(`    demo browser tests took ${Date.now() - startedAt} ms\n`);
  });

  it('two users open a chat and exchange messages both ways, live, with unread counts and presence in the list', async () => {
    await openChat(alice, 'bob');
    // Batched presence: bob's coming online reaches alice's socket within one window.
    await eventually(
      () => alice.page.textContent('#peer-presence'),
      (t) => t === 'online',
      'alice sees bob online',
    );
    await send(alice, 'hello bob');
    await eventually(
      () => contents(alice),
      (c) => c.join('|') === 'hello bob',
      'alice sees her message',
    );

    // bob's list shows the chat, one unread, alice online.
    const item = chatItem(bob, 'alice');
    await eventually(
      () => item.locator('.unread').textContent(),
      (t) => t === '1',
      "bob's unread count",
    );
    await eventually(
      () => item.locator('.presence').textContent(),
      (t) => t === 'online',
      "bob's list shows alice online",
    );

    await item.click();
    await eventually(
      () => contents(bob),
      (c) => c.join('|') === 'hello bob',
      'bob sees it',
    );
    await send(bob, 'hi alice');
    await eventually(
      () => contents(alice),
      (c) => c.join('|') === 'hello bob|hi alice',
      'alice sees the reply live',
    );
    await eventually(
      () => contents(bob),
      (c) => c.join('|') === 'hello bob|hi alice',
      'bob sees both',
    );
  });

  it('the open conversation marks incoming messages read: read marks appear live on the sender’s side, the unread count clears', async () => {
    // Each had the chat open and visible when the other's message came: both were marked read.
    await alice.page.locator('#messages .message.mine.read', { hasText: 'hello bob' }).waitFor();
    await bob.page.locator('#messages .message.mine.read', { hasText: 'hi alice' }).waitFor();
    expect(await alice.page.locator('#messages .message.mine.read .meta').first().textContent()).to.match(/· read$/);
    await eventually(
      () => chatItem(bob, 'alice').locator('.unread').textContent(),
      (t) => t === '0',
      "bob's unread count after reading",
    );
    // A new message is read as it arrives, and its sender sees that.
    await send(alice, 'read me');
    await bob.page.locator('#messages .message.theirs.read', { hasText: 'read me' }).waitFor();
    await alice.page.locator('#messages .message.mine.read', { hasText: 'read me' }).waitFor();
    // The server agrees.
    const chats = await s.http('GET', '/api/chats/', { token: s.token('bob', { sub: 'demo-bob' }) });
    expect((chats.body as { items: Array<{ unread_messages_count: number }> }).items[0]?.unread_messages_count).to.equal(0);

    const bobsView = bob.page.locator('#messages .message.theirs', { hasText: 'hello bob' });
    await bobsView.locator('button.like').click();
    await alice.page.locator('#messages .message.mine.liked', { hasText: 'hello bob' }).waitFor();
    await bob.page.locator('#messages .message.theirs.liked', { hasText: 'hello bob' }).waitFor();
    await screenshot(alice, 'demo-alice-read-marks.png');
  });

  it("each sees the other's presence change", async () => {
    await bob.context.close();
    await eventually(
      () => alice.page.textContent('#peer-presence'),
      (t) => t === 'offline',
      'alice sees bob go offline',
    );
    await eventually(
      () => chatItem(alice, 'bob').locator('.presence').textContent(),
      (t) => t === 'offline',
      "alice's list shows bob offline",
    );
    bob = await login('bob');
    await eventually(
      () => alice.page.textContent('#peer-presence'),
      (t) => t === 'online',
      'alice sees bob back',
    );
    await openChat(bob, 'alice');
    expect(await bob.page.textContent('#peer-presence')).to.equal('online');
    await alice.context.close();
    await eventually(
      () => bob.page.textContent('#peer-presence'),
      (t) => t === 'offline',
      'bob sees alice go offline',
    );
    alice = await login('alice');
    await eventually(
      () => bob.page.textContent('#peer-presence'),
      (t) => t === 'online',
      'bob sees alice back',
    );
    await openChat(alice, 'bob');
  });

  it('a network cut while messages are being sent loses and duplicates nothing once reconnected', async () => {
    const before = await contents(bob);
    const sent: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const text = `burst ${i}`;
      sent.push(text);
      await send(alice, text);
      if (i === 4) {
        // The server side drops alice's socket mid-burst...
        for (const socket of s.service.hub.socketsOf('demo-alice')) socket.terminate();
      }
      if (i === 8) await alice.context.setOffline(true);
    }
    // ...and her browser is offline for a while.
    await alice.page.locator('#connection', { hasText: 'reconnecting' }).waitFor();
    await sleep(1500);
    await alice.context.setOffline(false);
    await alice.page.locator('#connection', { hasText: 'open' }).waitFor({ timeout: 40_000 });
    const expected = [...before, ...sent];
    await eventually(
      () => contents(bob),
      (c) => c.join('|') === expected.join('|'),
      'bob sees every message once, in order',
      40_000,
    );
    await eventually(
      () => contents(alice),
      (c) => c.join('|') === expected.join('|'),
      'alice sees every message once, in order',
      40_000,
    );
    // The server stored each once.
    const stored = await s.http('GET', '/api/chats/alice/messages?limit=100', { token: s.token('bob', { sub: 'demo-bob' }) });
    const texts = (stored.body as { items: Array<{ content: string }> }).items.map((m) => m.content).reverse();
    expect(texts).to.deep.equal(expected);
    await screenshot(alice, 'demo-alice-after-cut.png');
  });

  it('game invitations: cancel, decline and accept, each seen live by the other and by every tab, with a notification', async () => {
    const notificationsBefore = Number(await bob.page.textContent('#notification-count'));
    expect(notificationsBefore).to.equal(0);
    // Bob's second tab follows the invitations his first tab answers.
    const bob2 = await anotherTab(bob, s.service.url);
    everyone.push(bob2);
    await openChat(bob2, 'alice');
    const invite = async () => {
      await alice.page.click('#invite');
      await alice.page.locator('#invite-state', { hasText: 'Invitation sent to bob' }).waitFor();
      expect(await alice.page.locator('#invite').isHidden(), 'no second invitation while one is pending').to.equal(true);
      for (const tab of [bob, bob2]) await tab.page.locator('#accept-invite').waitFor({ state: 'visible' });
      expect(await bob.page.textContent('#invite-state')).to.equal('alice invites you to Pong');
    };
    await invite();
    await eventually(
      () => bob.page.textContent('#notification-count'),
      (t) => Number(t) === notificationsBefore + 1,
      "bob's notification count",
    );
    expect(await bob.page.locator('#notification-list .notification.unread').first().textContent()).to.equal('alice invited you to Pong');
    await alice.page.click('#cancel-invite');
    await bob.page.locator('#invite-state', { hasText: 'alice canceled the invitation' }).waitFor();
    expect(await bob.page.locator('#accept-invite').isHidden()).to.equal(true);

    await bob2.page.locator('#accept-invite').waitFor({ state: 'hidden' });

    await invite();
    await bob.page.click('#decline-invite');
    await alice.page.locator('#invite-state', { hasText: 'bob declined' }).waitFor();
    expect(await alice.page.locator('#invite').isVisible()).to.equal(true);
    // The other tab learns of the answer from the invitation's notification_read: buttons and badge.
    await bob2.page.locator('#accept-invite').waitFor({ state: 'hidden' });
    await bob2.page.locator('#invite-state', { hasText: 'Declined' }).waitFor();
    await eventually(
      () => bob2.page.textContent('#notification-count'),
      (t) => t === '0',
      "the other tab's badge after the decline",
    );

    await invite();
    await bob.page.click('#accept-invite');
    await alice.page.locator('#invite-state', { hasText: /bob accepted: game|Game .* against bob/ }).waitFor();
    await bob.page.locator('#invite-state', { hasText: /Accepted|Game .* against alice/ }).waitFor();
    await bob2.page.locator('#invite-state', { hasText: /Game .* against alice/ }).waitFor();
    expect(await alice.page.locator('#cancel-invite').isHidden()).to.equal(true);
    // During the game nobody offers another one, in any tab.
    for (const tab of [alice, bob, bob2]) {
      expect(await tab.page.locator('#invite').isHidden(), `${tab.name}: Invite to Pong during the game`).to.equal(true);
      expect(await tab.page.locator('#accept-invite').isHidden()).to.equal(true);
    }
    await eventually(
      () => Promise.all([bob.page.textContent('#notification-count'), bob2.page.textContent('#notification-count')]),
      (t) => t.join() === '0,0',
      "bob's badges after accepting",
    );
    await bob2.page.close();
  });

  it('notifications: a new one shows live, and mark all read clears the count', async () => {
    // The answered invitations' notifications are read already; a friend request is a new one.
    await eventually(
      () => bob.page.textContent('#notification-count'),
      (t) => t === '0',
      'no unread notification left',
    );
    const friend = await s.connect('alice', { token: s.token('alice', { sub: 'demo-alice' }) });
    friend.send('add_new_friend', { sender_id: 'demo-alice', receiver_id: 'demo-bob' });
    await eventually(
      () => bob.page.textContent('#notification-count'),
      (t) => t === '1',
      "bob's friend notification",
    );
    await friend.close();
    expect(await bob.page.locator('#notification-list .notification.unread').first().textContent()).to.equal('alice added you as a friend');
    await bob.page.click('#mark-all-read');
    await eventually(
      () => bob.page.textContent('#notification-count'),
      (t) => t === '0',
      'count after mark-all-read',
    );
    expect(await bob.page.locator('#notification-list .notification.unread').count()).to.equal(0);
    expect(await bob.page.locator('#notification-list .notification.read').count()).to.equal(4);
    await screenshot(bob, 'demo-bob-invitations.png');
  });

  it('a notification read in one tab is read in the other at once: list and badge', async () => {
    const bob2 = await anotherTab(bob, s.service.url);
    everyone.push(bob2);
    const carol = await s.connect('carol', { token: s.token('carol', { sub: 'demo-carol' }) });
    carol.send('add_new_friend', { sender_id: 'demo-carol', receiver_id: 'demo-bob' });
    for (const tab of [bob, bob2])
      await eventually(
        () => tab.page.textContent('#notification-count'),
        (t) => t === '1',
        'the friend notification in each tab',
      );
    await carol.close();
    const unread = (tab: DemoUser) => tab.page.locator('#notification-list .notification.unread', { hasText: 'carol added you as a friend' });
    expect(await unread(bob2).count()).to.equal(1);
    await unread(bob).click();
    for (const tab of [bob2, bob]) {
      await unread(tab).waitFor({ state: 'detached' });
      await eventually(
        () => tab.page.textContent('#notification-count'),
        (t) => t === '0',
        'the badge after reading it in the first tab',
      );
    }
    expect(await bob2.page.locator('#notification-list .notification.read', { hasText: 'carol added you as a friend' }).count()).to.equal(1);
    await bob2.page.close();
  });

  it('blocking: the blocked side sees it live and cannot send (the page says so), and after unblocking it can', async () => {
    await bob.page.click('#block');
    await bob.page.locator('#block-state', { hasText: 'You blocked them' }).waitFor();
    expect(await bob.page.locator('#unblock').isVisible()).to.equal(true);
    // Alice's open conversation learns of it from block_update, before any send fails.
    await alice.page.locator('#block-state', { hasText: 'They blocked you' }).waitFor();
    const shown = await contents(bob);
    await send(alice, 'are you there?');
    await alice.page.locator('#error', { hasText: /blocked/i }).waitFor();
    await sleep(300);
    expect(await contents(bob)).to.deep.equal(shown);

    await alice.page.click('#block');
    await alice.page.locator('#block-state', { hasText: 'You blocked them' }).waitFor();
    await bob.page.locator('#block-state', { hasText: 'You blocked them' }).waitFor();
    await alice.page.click('#unblock');
    await bob.page.locator('#block-state', { hasText: 'You blocked them' }).waitFor();
    await eventually(
      () => alice.page.textContent('#block-state'),
      (t) => t === 'They blocked you',
      "alice's flags after her unblock (bob's block stands)",
    );

    await bob.page.click('#unblock');
    await bob.page.locator('#block').waitFor({ state: 'visible' });
    expect(await bob.page.textContent('#block-state')).to.equal('');
    await eventually(
      () => alice.page.textContent('#block-state'),
      (t) => t === '',
      'alice sees the unblock live',
    );
    await send(alice, 'and now?');
    await eventually(
      () => contents(bob),
      (c) => c.at(-1) === 'and now?',
      'bob gets the message after unblocking',
    );
    expect(await alice.page.locator('#error').isHidden()).to.equal(true);
  });

  it('logs in with a pasted token too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${s.service.url}/demo`);
    await page.fill('#token', s.token('carol', { sub: 'pasted-carol' }));
    await page.click('#token-form button');
    await page.locator('#connection', { hasText: 'open' }).waitFor();
    expect(await page.textContent('#me')).to.equal('carol');
    await context.close();
  });

  it('with a real key configured, the username login says so in the page, and a pasted token works', async () => {
    const real = await startTestService();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${real.service.url}/demo`);
      await page.fill('#username', 'dora');
      await page.click('#login-form button');
      await page.locator('#error', { hasText: 'This service has a real signing key: paste a token instead' }).waitFor();
      expect(await page.locator('#app').isHidden()).to.equal(true);
      await page.fill('#token', real.token('dora'));
      await page.click('#token-form button');
      await page.locator('#connection', { hasText: 'open' }).waitFor();
      expect(await page.textContent('#me')).to.equal('dora');
      await context.close();
    } finally {
      await real.stop();
    }
  });

  it('shows a peer who came and went within one presence window offline, though REST had him online', async () => {
    // A 3 s window holds fred's whole visit, so the server sends no diff for him (he is offline at
    // both of its ends); erin's page got REST's is_online: true when she opened the chat, and only
    // trusting its socket's presence over that answer shows him offline.
    const windowMs = 3000;
    const slow = await startTestService({ presence: { coalesceMs: windowMs } }, undefined, { devSecret: true });
    try {
      const erin = await logIn(browser, slow.service.url, 'erin');
      everyone.push(erin);
      // Her own coming online is the first window's diff: let it pass before fred's opens another.
      await sleep(windowMs + 500);
      const fred = await logIn(browser, slow.service.url, 'fred');
      everyone.push(fred);
      await openChat(erin, 'fred');
      await fred.context.close();
      await eventually(
        () => erin.page.textContent('#peer-presence'),
        (t) => t === 'offline',
        'erin sees fred offline',
      );
      await sleep(windowMs + 500);
      expect(await erin.page.textContent('#peer-presence')).to.equal('offline');
      expect(await chatItem(erin, 'fred').locator('.presence').textContent()).to.equal('offline');
      await erin.context.close();
    } finally {
      await slow.stop();
    }
  });

  it('shows no console error and no CSP violation in any page', () => {
    // Chromium itself reports the sockets and requests that failed while offline: those are expected.
    const offline = /net::ERR_INTERNET_DISCONNECTED$/;
    expect(everyone.flatMap((u) => u.problems).filter((p) => !offline.test(p))).to.deep.equal([]);
  });
});
