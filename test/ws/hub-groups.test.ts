import type { Duplex } from 'node:stream';
import { expect } from 'chai';
import type { WebSocket } from 'ws';
import { chatGroup, send, userGroup } from '../../src/application/broadcast/delivery.js';
import { frameOf } from '../../src/application/wire/server-frames.js';
import { ClientSocket } from '../../src/interfaces/ws/client-socket.js';
import { Hub } from '../../src/interfaces/ws/hub.js';
import { StubRaw, StubWs } from '../support/stub-ws.js';

const tab = (hub: Hub, userId: string): { ws: StubWs; socket: ClientSocket } => {
  const ws = new StubWs();
  const actor = { userId, username: userId, nickname: '', avatar: '' };
  const socket = new ClientSocket(ws as unknown as WebSocket, new StubRaw() as unknown as Duplex, actor, { maxBufferedBytes: 1 << 20, overBoundGraceMs: 1000 });
  hub.add(socket);
  return { ws, socket };
};

const resync = (n: number) => frameOf('resync_required', { position: `${n}.0` });

describe('Hub: group membership', () => {
  it('a socket joined to a group twice is a member once: one frame per delivery, and one removal leaves it', () => {
    const hub = new Hub();
    const a = tab(hub, 'a');
    const group = chatGroup('c1');
    hub.join(a.socket, group);
    hub.join(a.socket, group);
    expect(a.socket.groups).to.deep.equal([group]);
    hub.deliver(send(group, resync(1)));
    expect(a.ws.sent).to.have.length(1);

    hub.remove(a.socket);
    expect(hub.isMember(a.socket, group)).to.equal(false);
    expect(a.socket.groups).to.deep.equal([]);
    hub.deliver(send(group, resync(2)));
    expect(a.ws.sent, 'nothing after the removal').to.have.length(1);
  });

  it('removing one socket leaves the other members of its groups, and its user’s other tabs', () => {
    const hub = new Hub();
    const [a1, a2, b] = [tab(hub, 'a'), tab(hub, 'a'), tab(hub, 'b')];
    const chat = chatGroup('c1');
    for (const t of [a1, a2, b]) hub.join(t.socket, chat);
    hub.join(a1.socket, userGroup('a'));
    hub.join(a2.socket, userGroup('a'));

    hub.remove(a1.socket);
    expect(hub.isMember(a1.socket, chat)).to.equal(false);
    expect(hub.isMember(a2.socket, chat)).to.equal(true);
    expect(hub.isMember(b.socket, chat)).to.equal(true);
    expect([...hub.socketsOf('a')]).to.deep.equal([a2.socket]);
    hub.deliver(send(chat, resync(1)));
    hub.deliver(send(userGroup('a'), resync(2)));
    expect([a1.ws.sent.length, a2.ws.sent.length, b.ws.sent.length]).to.deep.equal([0, 2, 1]);
  });

  it('a closed socket is never joined', () => {
    const hub = new Hub();
    const a = tab(hub, 'a');
    a.socket.closed = true;
    hub.join(a.socket, chatGroup('c1'));
    expect(hub.isMember(a.socket, chatGroup('c1'))).to.equal(false);
    expect(a.socket.groups).to.deep.equal([]);
  });
});
