import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ReceivedFrame, TestClient } from '../support/test-client.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { failCommand, inject } from './faults.js';
import { chatBetween, drain, ISO_UTC, newUser, ping, UUID } from './support.js';

/** The answer to a frame sent with `ref`: its `ack`, or the `error` carrying the `ref`. */
const isAnswerTo =
  (ref: string) =>
  (f: ReceivedFrame): boolean =>
    (f.action === 'ack' || f.action === 'error') && f.ref === ref;

const isAnswer = (f: ReceivedFrame): boolean => f.action === 'ack' || (f.action === 'error' && f.ref !== undefined);

/** Every frame a client receives, in arrival order (its queue is consumed by `next`; this is not). */
const recorder = (client: TestClient): ReceivedFrame[] => {
  const seen: ReceivedFrame[] = [];
  client.ws.on('message', (data) => seen.push(JSON.parse(data.toString()) as ReceivedFrame));
  return seen;
};

const indexOf = (seen: readonly ReceivedFrame[], predicate: (f: ReceivedFrame) => boolean, what: string): number => {
  const i = seen.findIndex(predicate);
  expect(i, `${what} was received`).to.be.at.least(0);
  return i;
};

/** Sends a message without `ref` and waits for its frame: the message's id. */
const messageFrom = async (sender: TestClient, chatId: string, content: string): Promise<string> => {
  sender.send('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() });
  const frame = await sender.next((f) => f.action === 'new_message' && f.data['content'] === content);
  return frame.data['id'] as string;
};

const note = (message: string) => ({ message, type: 'test' });

const RATE = 900;
const BURST = 950;

describe('WebSocket acknowledgements (`ref`)', function () {
  this.timeout(60_000);
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ ws: { ratePerSecond: RATE, rateBurst: BURST }, invites: { rateMax: 1000 } });
  });
  after(async () => svc.stop());

  /** Alice and Bob in a chat, each on a ready socket, and a message of Bob's that Alice may like. */
  const pair = async () => {
    const alice = await newUser(svc, 'alice');
    const bob = await newUser(svc, 'bob');
    const chatId = await chatBetween(alice, bob);
    const [a, b] = await Promise.all([alice.connectReady(), bob.connectReady()]);
    const bobsMessage = await messageFrom(b, chatId, `from bob ${randomUUID()}`);
    await ping(a);
    await drain(a);
    return { alice, bob, chatId, a, b, bobsMessage };
  };

  it('ready.limits are the configured flood-control figures, and the frame bound is the one enforced', async () => {
    const alice = await newUser(svc, 'alice');
    const a = await alice.connect();
    expect(a.readyFrame?.data['limits']).to.deep.equal({ rate_per_second: RATE, burst: BURST, max_frame_bytes: 64 * 1024 });
    const limits = a.readyFrame?.data['limits'] as { max_frame_bytes: number };
    const fits = JSON.stringify({ action: 'notification', ref: 'fits', data: note('') });
    a.sendRaw(fits.replace('"message":""', `"message":"${' '.repeat(limits.max_frame_bytes - fits.length - 1)}x"`));
    // At exactly the bound the frame is read (its content is then refused as BAD_DATA: too long); one byte more is 1009.
    expect((await a.closed).code).to.equal(3100);
    const b = await alice.connect();
    b.sendRaw(fits.replace('"message":""', `"message":"${' '.repeat(limits.max_frame_bytes - fits.length)}x"`));
    expect((await b.closed).code).to.equal(1009);
  });

  it('join_chat (stores nothing) is acked without position, after its join_chat reply', async () => {
    const { a, chatId } = await pair();
    const seen = recorder(a);
    a.sendWithRef('join_chat', { chat_id: chatId }, 'j1');
    const ack = await a.next(isAnswerTo('j1'));
    expect(ack).to.deep.equal({ action: 'ack', ref: 'j1', data: { for: 'join_chat' } });
    expect(indexOf(seen, (f) => f.action === 'join_chat', 'the join_chat reply')).to.be.below(indexOf(seen, isAnswerTo('j1'), 'the ack'));
  });

  it('like_message (stores an event) is acked with that event’s position, after its chat_like_update frame', async () => {
    const { a, b, bobsMessage, chatId } = await pair();
    const seen = recorder(a);
    a.sendWithRef('like_message', { id: bobsMessage, chat_id: chatId }, 'l1');
    const ack = await a.next(isAnswerTo('l1'));
    expect(ack.action).to.equal('ack');
    expect(ack.data['for']).to.equal('like_message');
    const update = await b.nextAction('chat_like_update');
    expect(update.position).to.be.a('string');
    expect(ack.data).to.deep.equal({ for: 'like_message', position: update.position });
    const own = indexOf(seen, (f) => f.action === 'chat_like_update' && f.position === update.position, 'the sender’s chat_like_update');
    expect(own).to.be.below(indexOf(seen, isAnswerTo('l1'), 'the ack'));
  });

  it('new_message is acked with the stored message’s id, chat_id and date and its position, after its own new_message frame', async () => {
    const { a, chatId } = await pair();
    const seen = recorder(a);
    a.sendWithRef('new_message', { chat_id: chatId, content: 'with a ref', timestamp: new Date().toISOString() }, 'n1');
    const ack = await a.next(isAnswerTo('n1'));
    const frame = await a.next((f) => f.action === 'new_message' && f.data['content'] === 'with a ref');
    expect(ack).to.deep.equal({
      action: 'ack',
      ref: 'n1',
      data: { for: 'new_message', position: frame.position, id: frame.data['id'], chat_id: chatId, date: frame.data['date'] },
    });
    expect(ack.data['id']).to.match(UUID);
    expect(ack.data['date']).to.match(ISO_UTC);
    expect(indexOf(seen, (f) => f.action === 'new_message' && f.data['id'] === ack.data['id'], 'the new_message frame')).to.be.below(
      indexOf(seen, isAnswerTo('n1'), 'the ack'),
    );
  });

  it('frames without ref are answered as before: no ack', async () => {
    const { a, bobsMessage, chatId } = await pair();
    a.send('like_message', { id: bobsMessage, chat_id: chatId });
    await a.nextAction('chat_like_update');
    a.send('join_chat', { chat_id: chatId });
    await a.nextAction('join_chat');
    a.send('like_message', { id: '6f1f7c2e-3c1a-4d0b-9a57-0f3e2b1c4d5e', chat_id: chatId });
    const error = await a.nextAction('error');
    expect(error).to.not.have.property('ref');
    await ping(a);
    expect((await drain(a)).filter((f) => f.action === 'ack')).to.deep.equal([]);
  });

  it('a business refusal is the error frame with the ref, and no ack', async () => {
    const { a, chatId } = await pair();
    const own = await messageFrom(a, chatId, 'my own');
    a.sendWithRef('like_message', { id: own, chat_id: chatId }, 'r1');
    const answer = await a.next(isAnswerTo('r1'));
    expect(answer.action).to.equal('error');
    expect(answer.data).to.include({ for: 'like_message', code: 'cannot_like_own_message' });
    await ping(a);
    expect((await drain(a)).filter(isAnswer)).to.deep.equal([]);
  });

  it('a fault in the command is internal_error with the ref', async () => {
    const { a, bobsMessage, chatId } = await pair();
    const restore = failCommand(svc.service, 'LikeMessage');
    try {
      a.sendWithRef('like_message', { id: bobsMessage, chat_id: chatId }, 'f1');
      const answer = await a.next(isAnswerTo('f1'));
      expect(answer.action).to.equal('error');
      expect(answer.data).to.include({ for: 'like_message', code: 'internal_error' });
    } finally {
      restore();
    }
    a.sendWithRef('like_message', { id: bobsMessage, chat_id: chatId }, 'f2');
    expect((await a.next(isAnswerTo('f2'))).action).to.equal('ack');
  });

  it('a fault after the answer (recording activity) is logged, never a second answer to the ref', async () => {
    const alice = await newUser(svc, 'alice');
    const restore = failCommand(svc.service, 'RecordActivity');
    try {
      // A socket's first frame records activity (then not again within ACTIVITY_THROTTLE_MS).
      const a = await alice.connect();
      a.sendWithRef('notification', note('first'), 'once');
      expect((await a.next(isAnswerTo('once'))).action).to.equal('ack');
      await ping(a);
      expect((await drain(a)).filter((f) => f.action === 'error' || f.action === 'ack')).to.deep.equal([]);
      // Without a ref the same fault is answered as before: an internal_error.
      const b = await alice.connect();
      b.send('notification', note('second'));
      expect((await b.nextAction('error')).data).to.include({ for: 'notification', code: 'internal_error' });
      await Promise.all([a.close(), b.close()]);
    } finally {
      restore();
    }
  });

  it('while the read side is stalled, a lookup-dependent action is unavailable with the ref', async () => {
    const { a, bob } = await pair();
    const restore = inject(svc.service.projection.tracker, 'waitFor', () => () => Promise.resolve(false));
    try {
      a.sendWithRef('game_invite', { username: bob.name, client_id: randomUUID() }, 'u1');
      const answer = await a.next(isAnswerTo('u1'));
      expect(answer.action).to.equal('error');
      expect(answer.data).to.include({ for: 'game_invite', code: 'unavailable' });
    } finally {
      restore();
    }
  });

  it('when the broadcaster has not sent an action’s frames within the bound, the answer is unavailable with the ref, never an ack', async () => {
    const { a, bobsMessage, chatId } = await pair();
    // The broadcaster still pushes frames but its tracker no longer moves: as if it lagged past the bound.
    const restore = inject(svc.service.broadcaster.tracker, 'advance', () => () => undefined);
    try {
      a.sendWithRef('like_message', { id: bobsMessage, chat_id: chatId }, 's1');
      const answer = await a.next(isAnswerTo('s1'), 5000);
      expect(answer.action).to.equal('error');
      expect(answer.data).to.include({ for: 'like_message', code: 'unavailable' });
      // It was stored all the same: its frame came.
      expect((await a.nextAction('chat_like_update')).data).to.include({ id: bobsMessage, is_liked: true });
    } finally {
      restore();
    }
    a.sendWithRef('unlike_message', { id: bobsMessage, chat_id: chatId }, 's2');
    const ack = await a.next(isAnswerTo('s2'));
    expect(ack.action).to.equal('ack');
    expect(ack.data['position']).to.be.a('string');
    await ping(a);
    expect((await drain(a)).filter(isAnswer)).to.deep.equal([]);
  });

  it('200 pipelined frames with refs are answered once each, in order', async () => {
    const { a, bobsMessage, chatId } = await pair();
    const own = await messageFrom(a, chatId, 'mine, not to like');
    await drain(a);
    const kinds = ['join_chat', 'notification', 'like_message', 'unlike_message', 'refused'] as const;
    const refs: string[] = [];
    for (let i = 0; i < 200; i++) {
      const ref = `p${i}`;
      refs.push(ref);
      const kind = kinds[i % kinds.length] ?? 'refused';
      if (kind === 'join_chat') a.sendWithRef('join_chat', { chat_id: chatId }, ref);
      else if (kind === 'notification') a.sendWithRef('notification', note(ref), ref);
      else if (kind === 'refused') a.sendWithRef('like_message', { id: own, chat_id: chatId }, ref);
      else a.sendWithRef(kind, { id: bobsMessage, chat_id: chatId }, ref);
    }
    const answers: ReceivedFrame[] = [];
    while (answers.length < 200) answers.push(await a.next(isAnswer, 10_000));
    expect(answers.map((f) => f.ref)).to.deep.equal(refs);
    answers.forEach((f, i) => {
      const kind = kinds[i % kinds.length];
      if (kind === 'refused') {
        expect(f.action, f.ref).to.equal('error');
        return expect(f.data, f.ref).to.include({ for: 'like_message', code: 'cannot_like_own_message' });
      }
      expect(f.action, f.ref).to.equal('ack');
      expect(f.data['for'], f.ref).to.equal(kind);
      expect(f.data['position'] === undefined, `${f.ref}: position`).to.equal(kind === 'join_chat');
    });
    const positions = answers.map((f) => f.data['position']).filter((p): p is string => typeof p === 'string');
    expect(new Set(positions).size, 'each stored action has its own position').to.equal(positions.length);
    await ping(a);
    expect((await drain(a)).filter(isAnswer), 'no second answer').to.deep.equal([]);
  });

  it('a ref that is not a string of 1–64 characters closes the socket with 3100, unacknowledged', async () => {
    const alice = await newUser(svc, 'alice');
    for (const bad of [42, '', 'x'.repeat(65), '🏓'.repeat(65), null, true, {}, ['a']]) {
      const c = await alice.connect();
      c.sendWithRef('notification', note('bad ref'), bad);
      expect((await c.closed).code, JSON.stringify(bad)).to.equal(3100);
      expect(
        c.pending().filter((f) => f.action !== 'user_online' && f.action !== 'user_offline'),
        JSON.stringify(bad),
      ).to.deep.equal([]);
    }
    const c = await alice.connect();
    // 64 code points, whatever their UTF-16 length, and a single character are refs.
    for (const good of ['x', 'y'.repeat(64), '🏓'.repeat(64)]) {
      c.sendWithRef('notification', note('good ref'), good);
      expect((await c.next(isAnswerTo(good))).action, good).to.equal('ack');
    }
    await c.close();
  });

  it('a repeated client_msg_id is acked with the original message (and its new_message frame is sent again)', async () => {
    const { a, b, chatId } = await pair();
    const clientMsgId = randomUUID();
    const seen = recorder(a);
    a.sendWithRef('new_message', { chat_id: chatId, content: 'once', timestamp: new Date().toISOString(), client_msg_id: clientMsgId }, 'c1');
    const first = await a.next(isAnswerTo('c1'));
    expect(first.action).to.equal('ack');
    expect(first.data['position']).to.be.a('string');
    a.sendWithRef('new_message', { chat_id: chatId, content: 'once again', timestamp: new Date().toISOString(), client_msg_id: clientMsgId }, 'c2');
    const repeat = await a.next(isAnswerTo('c2'));
    expect(repeat).to.deep.equal({
      action: 'ack',
      ref: 'c2',
      data: { for: 'new_message', id: first.data['id'], chat_id: chatId, date: first.data['date'] },
    });
    const again = indexOf(
      seen,
      (f) => f.action === 'new_message' && f.position === undefined && f.data['id'] === first.data['id'],
      'the original’s new_message frame, as a reply',
    );
    expect(again).to.be.below(indexOf(seen, isAnswerTo('c2'), 'the second ack'));
    await ping(b);
    expect((await drain(b)).filter((f) => f.action === 'new_message').map((f) => f.data['content'])).to.deep.equal(['once']);
  });

  it('over 60 rounds, the sender’s own new_message and chat_like_update frames arrive before the ack of the frame that caused them', async () => {
    const { a, bobsMessage, chatId } = await pair();
    const seen = recorder(a);
    for (let round = 0; round < 60; round++) {
      const content = `round ${round}`;
      a.sendWithRef('new_message', { chat_id: chatId, content, timestamp: new Date().toISOString() }, `m${round}`);
      a.sendWithRef(round % 2 === 0 ? 'like_message' : 'unlike_message', { id: bobsMessage, chat_id: chatId }, `k${round}`);
      await a.next(isAnswerTo(`k${round}`));
    }
    for (let round = 0; round < 60; round++) {
      const sent = indexOf(seen, isAnswerTo(`m${round}`), `ack m${round}`);
      const ack = seen[sent];
      if (ack === undefined) throw new Error('unreachable');
      expect(ack.action).to.equal('ack');
      const frame = indexOf(
        seen,
        (f) => f.action === 'new_message' && f.data['id'] === ack.data['id'] && f.position === ack.data['position'],
        `new_message ${round}`,
      );
      expect(frame, `round ${round}: new_message before its ack`).to.be.below(sent);
      const liked = indexOf(seen, isAnswerTo(`k${round}`), `ack k${round}`);
      const position = seen[liked]?.data['position'];
      expect(position, `round ${round}: the like stored an event`).to.be.a('string');
      const update = indexOf(seen, (f) => f.action === 'chat_like_update' && f.position === position, `chat_like_update ${round}`);
      expect(update, `round ${round}: chat_like_update before its ack`).to.be.below(liked);
    }
  });
});

describe('WebSocket acknowledgements under flood control', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ ws: { ratePerSecond: 1, rateBurst: 3, rateWarnings: 10 } });
  });
  after(async () => svc.stop());

  it('a rate_limited error carries the ref of the frame it refuses; the frames within the burst are acked', async () => {
    const alice = await newUser(svc, 'alice');
    const a = await alice.connect();
    expect(a.readyFrame?.data['limits']).to.deep.equal({ rate_per_second: 1, burst: 3, max_frame_bytes: 64 * 1024 });
    for (let i = 0; i < 6; i++) a.sendWithRef('notification', note(`flood ${i}`), `f${i}`);
    const answers: ReceivedFrame[] = [];
    while (answers.length < 6) answers.push(await a.next(isAnswer));
    expect(answers.map((f) => [f.ref, f.action, f.data['code'] ?? f.data['for']])).to.deep.equal([
      ['f0', 'ack', 'notification'],
      ['f1', 'ack', 'notification'],
      ['f2', 'ack', 'notification'],
      ['f3', 'error', 'rate_limited'],
      ['f4', 'error', 'rate_limited'],
      ['f5', 'error', 'rate_limited'],
    ]);
    for (const refused of answers.slice(3)) expect(refused.data['for']).to.equal('notification');
    expect(a.ws.readyState).to.equal(a.ws.OPEN);
  });
});
