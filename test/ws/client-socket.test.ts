import type { Duplex } from 'node:stream';
import { expect } from 'chai';
import type { WebSocket } from 'ws';
import { frameOf, type ServerFrame } from '../../src/application/wire/server-frames.js';
import { ClientSocket } from '../../src/interfaces/ws/client-socket.js';
import { StubRaw, StubWs } from '../support/stub-ws.js';

const CHAT = '00000000-0000-4000-8000-000000000001';
const frame = (position: string): ServerFrame =>
  frameOf(
    'new_message',
    { chat_id: CHAT, id: CHAT, content: position, date: '2026-01-01T00:00:00.000Z', sender: 'a', is_read: false, is_liked: false, timestamp: '' },
    position,
  );

const setup = () => {
  const ws = new StubWs();
  const raw = new StubRaw();
  const socket = new ClientSocket(
    ws as unknown as WebSocket,
    raw as unknown as Duplex,
    { userId: 'u1', username: 'u1', nickname: 'u1', avatar: '' },
    { maxBufferedBytes: 1 << 20, overBoundGraceMs: 1000 },
  );
  const positions = () => ws.sent.map((t) => (JSON.parse(t) as ServerFrame).position);
  return { socket, positions, raw };
};

describe('ClientSocket: the resume hand-over (replayed frames, then live frames)', () => {
  it('live frames held during the replay are released after it, minus those it sent', () => {
    const { socket, positions } = setup();
    socket.beginReplay();
    socket.push(frame('5')); // live, while the replay runs
    socket.pushReplayed(frame('4'));
    socket.pushReplayed(frame('5'));
    socket.push(frame('6'));
    socket.endReplay();
    socket.push(frame('7'));
    expect(positions()).to.deep.equal(['4', '5', '6', '7']);
  });

  it('a live frame the replay already sent is dropped even when it arrives after the replay ended (broadcaster behind the store)', () => {
    const { socket, positions } = setup();
    socket.beginReplay();
    // The replay read the store up to 6 while the broadcaster had only delivered up to 4.
    socket.pushReplayed(frame('5'));
    socket.pushReplayed(frame('6'));
    socket.endReplay();
    // The broadcaster catches up.
    socket.push(frame('5'));
    socket.push(frame('6'));
    socket.push(frame('7'));
    socket.push(frame('8'));
    expect(positions()).to.deep.equal(['5', '6', '7', '8']);
  });

  it('without a replay every frame goes straight out', () => {
    const { socket, positions } = setup();
    socket.push(frame('1'));
    socket.push(frame('2'));
    expect(positions()).to.deep.equal(['1', '2']);
  });
});

describe('ClientSocket: frames sent in one run of callbacks leave in one write', () => {
  it('corks the TCP socket at the first frame and uncorks it once, after the current callbacks', async () => {
    const { socket, positions, raw } = setup();
    socket.push(frame('1'));
    socket.push(frame('2'));
    socket.reply(frameOf('join_chat', { chat_id: CHAT }));
    expect([raw.corked, raw.flushes]).to.deep.equal([1, 0]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect([raw.corked, raw.flushes]).to.deep.equal([0, 1]);
    socket.push(frame('3'));
    await new Promise((resolve) => process.nextTick(resolve));
    expect([raw.corked, raw.flushes]).to.deep.equal([0, 2]);
    expect(positions()).to.deep.equal(['1', '2', undefined, '3']);
  });
});
