import type { Socket } from 'node:net';
import { expect } from 'chai';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { chatBetween, expectStillOpen, newUser, nextError, nextMessage, type User } from './support.js';

/** Writer sockets and messages each sends per round in the slow-consumer test. */
const WRITERS = 6;
const PER_WRITER = 20;

const tcpOf = (client: TestClient): Socket => (client.ws as unknown as { _socket: Socket })._socket;

/**
 * Writers, each in its own chat with `reader`: commands of one socket run one after the other,
 * those of several sockets share commits; each writer only gets its own chat's frames.
 */
const writersTo = (svc: TestService, reader: User): Promise<Array<{ chatId: string; client: TestClient }>> =>
  Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const user = await newUser(svc, 'writer');
      const chatId = await chatBetween(user, reader);
      return { chatId, client: await user.connectReady() };
    }),
  );

describe('WebSocket gateway: limits', () => {
  describe('slow consumer', () => {
    let svc: TestService;

    before(async () => {
      // The kernel buffers a few MiB before `bufferedAmount` grows: NORMAL sync writes them faster.
      svc = await startTestService({ ws: { maxBufferedBytes: 16 * 1024, ratePerSecond: 1000, rateBurst: 1000, rateWarnings: 3 }, sqliteSynchronous: 'NORMAL' });
    });
    after(async () => {
      await svc.stop();
    });

    it('a socket that stops reading is closed with 1013; a reading member keeps receiving every message', async function () {
      this.timeout(30_000);
      const alice = await newUser(svc, 'alice');
      const writers = await writersTo(svc, alice);
      const slow = await alice.connectReady();
      const reader = await alice.connectReady();
      expect([...svc.service.hub.socketsOf(alice.id)].filter((s) => !s.closed)).to.have.length(2);
      tcpOf(slow).pause();

      // Long frames (250 four-byte characters each, about 1 KiB) fill the kernel buffers quickly.
      const payload = '🏓'.repeat(250);
      const slowDropped = () => [...svc.service.hub.socketsOf(alice.id)].length < 2 || [...svc.service.hub.socketsOf(alice.id)].some((s) => s.closed);
      const sent = new Set<string>();
      let n = 0;
      const started = Date.now();
      while (!slowDropped() && Date.now() - started < 15_000) {
        await Promise.all(
          writers.map(async ({ chatId, client }) => {
            const contents = Array.from({ length: PER_WRITER }, () => `${n++}:${payload}`);
            for (const content of contents) client.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
            for (let i = 0; i < contents.length; i++) sent.add((await client.nextAction('new_message')).data['id'] as string);
          }),
        );
      }
      expect(slowDropped(), 'the server dropped the slow socket').to.equal(true);

      tcpOf(slow).resume();
      expect((await slow.closed).code).to.equal(1013);

      // The reading member got every message once, in log order, and is still served.
      const frames: ReceivedFrame[] = [];
      while (frames.length < sent.size) frames.push(await reader.nextAction('new_message'));
      expect(new Set(frames.map((f) => f.data['id']))).to.deep.equal(sent);
      const positions = frames.map((f) => BigInt(f.position ?? '0'));
      expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] as bigint))).to.equal(true);
      await expectStillOpen(reader);
      await Promise.all([reader, ...writers.map((w) => w.client)].map((c) => c.close()));
    });
  });

  describe('slow consumer that gets nothing more', () => {
    let svc: TestService;
    const BOUND = 1024 * 1024;

    before(async () => {
      svc = await startTestService({ ws: { maxBufferedBytes: BOUND, ratePerSecond: 1000, rateBurst: 1000, rateWarnings: 3 }, sqliteSynchronous: 'NORMAL' });
    });
    after(async () => {
      await svc.stop();
    });

    it('a socket left over the bound, with no frame after, is closed with 1013 once the grace has passed (the gateway sweeps every socket)', async function () {
      this.timeout(60_000);
      const alice = await newUser(svc, 'alice');
      const writers = await writersTo(svc, alice);
      const slow = await alice.connectReady();
      const [socket] = [...svc.service.hub.socketsOf(alice.id)];
      if (socket === undefined) throw new Error('no socket for alice');
      tcpOf(slow).pause();
      // Rounds of about 120 KiB until the socket is over the bound; the hard limit (4× the bound)
      // is far above, so no send closes it: only the sweep can, once the grace has passed.
      const payload = '🏓'.repeat(250);
      let n = 0;
      const started = Date.now();
      while (socket.ws.bufferedAmount <= BOUND && Date.now() - started < 30_000) {
        await Promise.all(
          writers.map(async ({ chatId, client }) => {
            for (let i = 0; i < PER_WRITER; i++)
              client.send('new_message', { chat_id: chatId, content: `${n++}:${payload}`, timestamp: new Date().toISOString() });
            for (let i = 0; i < PER_WRITER; i++) await client.nextAction('new_message');
          }),
        );
      }
      expect(socket.ws.bufferedAmount, 'buffered for the slow socket')
        .to.be.above(BOUND)
        .and.below(4 * BOUND);
      expect(socket.closed, 'not closed by a send').to.equal(false);
      const overAt = Date.now();
      while (!socket.closed && Date.now() - overAt < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(socket.closed, 'closed by the sweep').to.equal(true);
      tcpOf(slow).resume();
      expect((await slow.closed).code).to.equal(1013);
      await Promise.all(writers.map((w) => w.client.close()));
    });
  });

  describe('flood control', () => {
    let svc: TestService;

    before(async () => {
      svc = await startTestService({ ws: { maxBufferedBytes: 1024 * 1024, ratePerSecond: 5, rateBurst: 5, rateWarnings: 2 } });
    });
    after(async () => {
      await svc.stop();
    });

    it('over the rate: error rate_limited (socket kept), then close 1008 after repeated excess', async () => {
      const alice = await newUser(svc, 'alice');
      const bob = await newUser(svc, 'bob');
      const chatId = await chatBetween(alice, bob);
      const a = await alice.connect();
      for (let i = 0; i < 6; i++) a.send('new_message', { chat_id: chatId, content: `m${i}`, timestamp: new Date().toISOString() });
      const limited = await nextError(a, 'new_message');
      expect(limited.data).to.include({ for: 'new_message', code: 'rate_limited' });
      expect(limited.data['msg']).to.be.a('string');
      for (let i = 0; i < 5; i++) await nextMessage(a, `m${i}`);
      expect(a.ws.readyState).to.equal(a.ws.OPEN);

      for (let i = 0; i < 10; i++) a.send('new_message', { chat_id: chatId, content: `more ${i}`, timestamp: new Date().toISOString() });
      expect((await a.closed).code).to.equal(1008);
    });

    it('a sender within the rate is never limited', async () => {
      const alice = await newUser(svc, 'alice');
      const a = await alice.connect();
      for (let i = 0; i < 4; i++) {
        a.send('notification', { message: `n${i}`, type: 'info' });
        await a.next((f) => f.action === 'notification' && f.data['message'] === `n${i}`);
      }
      await new Promise((r) => setTimeout(r, 400)); // two tokens back
      for (let i = 0; i < 3; i++) a.send('notification', { message: `m${i}`, type: 'info' });
      for (let i = 0; i < 3; i++) await a.next((f) => f.action === 'notification' && f.data['message'] === `m${i}`);
      expect(a.pending().filter((f) => f.action === 'error')).to.deep.equal([]);
      await a.close();
    });
  });
});
