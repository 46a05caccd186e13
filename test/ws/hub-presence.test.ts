import type { Duplex } from 'node:stream';
import { expect } from 'chai';
import type { WebSocket } from 'ws';
import { ONLINE_USERS } from '../../src/application/broadcast/delivery.js';
import { PresenceGraph } from '../../src/application/presence/presence-graph.js';
import { ClientSocket } from '../../src/interfaces/ws/client-socket.js';
import { Hub } from '../../src/interfaces/ws/hub.js';
import { FakeClock } from '../support/fake-clock.js';
import { prng } from '../support/prng.js';
import { StubRaw, StubWs } from '../support/stub-ws.js';

interface PresenceData {
  readonly online: readonly string[];
  readonly offline?: readonly string[];
}

/** A batched tab as a front end keeps it: the `presence_state` it was given, then every diff applied. */
class Tab {
  readonly ws = new StubWs();
  readonly socket: ClientSocket;
  readonly view = new Set<string>();
  private applied = 0;

  constructor(
    readonly hub: Hub,
    userId: string,
  ) {
    const limits = { maxBufferedBytes: 1 << 20, overBoundGraceMs: 1000 };
    const actor = { userId, username: userId, nickname: '', avatar: '' };
    this.socket = new ClientSocket(this.ws as unknown as WebSocket, new StubRaw() as unknown as Duplex, actor, limits, true);
    hub.add(this.socket);
    hub.join(this.socket, ONLINE_USERS);
    const state = hub.presenceStateFor(this.socket).frame.data as unknown as PresenceData;
    for (const name of state.online) this.view.add(name);
  }

  /** Applies the diffs received since the last look; returns the view. */
  seen(): string[] {
    for (; this.applied < this.ws.sent.length; this.applied++) {
      const frame = JSON.parse(this.ws.sent[this.applied] ?? '') as { action: string; data: PresenceData };
      expect(frame.action).to.equal('presence_diff');
      for (const name of frame.data.online) this.view.add(name);
      for (const name of frame.data.offline ?? []) this.view.delete(name);
    }
    return [...this.view].sort();
  }

  get diffs(): number {
    return this.ws.sent.length;
  }
}

const setup = (fanoutPerSecond = 1_000_000) => {
  const clock = new FakeClock();
  const graph = new PresenceGraph('all');
  const hub = new Hub({ presence: graph, coalesceMs: 1500, fanoutPerSecond, timers: clock });
  let commit = 0n;
  const profile = (userId: string) => ({ userId, username: userId, nickname: '', avatar: '' });
  const presence = (userId: string, online: boolean): void => {
    commit += 1n;
    const at = new Date(0).toISOString();
    const event = online
      ? { type: 'UserWentOnline' as const, data: { userId, at } }
      : { type: 'UserWentOffline' as const, data: { userId, reason: 'disconnected' as const, at } };
    hub.presenceChanged(graph.apply({ commit, prepare: commit }, event, profile));
  };
  const onlineNow = (): string[] => [...graph.onlineSeenBy('anyone').values()].sort();
  return { clock, hub, presence, onlineNow };
};

describe('Hub: batched presence (fake clock)', () => {
  it('a presence_state asked for during a window is serialised once; the window’s diff brings every tab given it to the state at its end', () => {
    const { clock, hub, presence, onlineNow } = setup();
    presence('u1', true);
    const before = new Tab(hub, 'u0'); // the window is open: u0's tab is given the state as of now
    presence('u2', true);
    presence('u1', false);
    const during = new Tab(hub, 'u3');
    expect(hub.presenceStateFor(during.socket), 'the same serialised state for the whole window').to.equal(hub.presenceStateFor(before.socket));
    expect(during.seen(), 'behind the changes since it was taken').to.deep.equal(['u1']);
    clock.advance(1500);
    expect(before.seen()).to.deep.equal(onlineNow());
    expect(during.seen()).to.deep.equal(['u2']);
    const after = new Tab(hub, 'u4');
    expect(after.seen(), 'a state taken after the window is current').to.deep.equal(['u2']);
  });

  it('a group of more batched sockets than the fan-out budget covers in one window gets a longer window', () => {
    const { clock, hub, presence } = setup(2); // 2 diff frames per second: six tabs make a 3 s window
    const tabs = Array.from({ length: 6 }, (_, i) => new Tab(hub, `t${i}`));
    presence('u1', true);
    clock.advance(1500);
    expect(tabs.map((t) => t.diffs)).to.deep.equal([0, 0, 0, 0, 0, 0]);
    clock.advance(1500);
    expect(tabs.map((t) => t.seen())).to.deep.equal(tabs.map(() => ['u1']));
  });

  it('under random changes, connects and closes, every open tab ends with the online set, having had at most one diff per window', () => {
    const random = prng(13);
    const { clock, hub, presence, onlineNow } = setup();
    const tabs: Tab[] = [];
    const tooMany: number[] = [];
    for (let step = 0; step < 3000; step++) {
      const before = new Map(tabs.map((t) => [t, t.diffs]));
      const r = random();
      const user = `u${Math.floor(random() * 60)}`;
      let advanced = false;
      if (r < 0.45) presence(user, random() < 0.6);
      else if (r < 0.6) tabs.push(new Tab(hub, user));
      else if (r < 0.65 && tabs.length > 0) {
        const [closed] = tabs.splice(Math.floor(random() * tabs.length), 1);
        if (closed !== undefined) hub.remove(closed.socket);
      } else {
        clock.advance(Math.floor(random() * 800)); // shorter than a window: ends one at most
        advanced = true;
      }
      for (const [tab, diffs] of before) if (tab.diffs - diffs > (advanced ? 1 : 0)) tooMany.push(step);
    }
    expect(tooMany, 'steps where a tab got more than one diff, or one outside a window’s end').to.deep.equal([]);
    clock.advance(60_000);
    expect(tabs.length).to.be.greaterThan(50);
    const expected = onlineNow();
    expect(expected.length).to.be.greaterThan(10);
    for (const tab of tabs) expect(tab.seen()).to.deep.equal(expected);
  });
});
