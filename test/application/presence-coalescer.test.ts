import { expect } from 'chai';
import type { Group } from '../../src/application/broadcast/delivery.js';
import { MAX_WINDOW_MS, PresenceCoalescer, type PresenceWindow } from '../../src/application/presence/presence-coalescer.js';
import { FakeClock } from '../support/fake-clock.js';

const G: Group = 'online_users';
const H: Group = 'user_h';
const change = (group: Group, userId: string, before: boolean, after: boolean) => ({ group, userId, username: userId.replace('id-', ''), before, after });

describe('PresenceCoalescer (fake clock)', () => {
  const setup = () => {
    const clock = new FakeClock();
    const flushed: { at: number; windows: ReadonlyMap<Group, PresenceWindow> }[] = [];
    const c = new PresenceCoalescer(1500, (windows) => flushed.push({ at: clock.now(), windows }), clock);
    return { clock, flushed, c };
  };

  it('the first change opens a window; its changes leave together when it ends, not before', () => {
    const { clock, flushed, c } = setup();
    c.record(change(G, 'id-bob', false, true));
    clock.advance(500);
    c.record(change(G, 'id-carol', false, true));
    c.record(change(G, 'id-dan', true, false));
    clock.advance(999);
    expect(flushed).to.deep.equal([]);
    clock.advance(1);
    expect(flushed).to.have.length(1);
    expect(flushed[0]?.at).to.equal(1500);
    expect(flushed[0]?.windows.get(G)?.settled).to.deep.equal({ online: ['bob', 'carol'], offline: ['dan'] });
    expect(clock.pending, 'no timer while idle').to.equal(0);
  });

  it('at most one flush per window, however many changes', () => {
    const { clock, flushed, c } = setup();
    for (let i = 0; i < 100; i++) {
      c.record(change(G, `id-u${i}`, false, true));
      clock.advance(40);
    }
    clock.advance(1500);
    // 100 changes over 4 s: windows at 0, 1520 (first change after the flush at 1500), 3040.
    expect(flushed.map((f) => f.at)).to.deep.equal([1500, 3020, 4540]);
    const total = flushed.reduce((n, f) => n + (f.windows.get(G)?.settled?.online.length ?? 0), 0);
    expect(total).to.equal(100);
  });

  it('changes that cancel out within a window are dropped; `touched` still reports them as they are now', () => {
    const { clock, flushed, c } = setup();
    c.record(change(G, 'id-blip', false, true));
    c.record(change(G, 'id-blip', true, false));
    c.record(change(G, 'id-stay', true, false));
    c.record(change(G, 'id-stay', false, true));
    clock.advance(1500);
    const w = flushed[0]?.windows.get(G);
    expect(w?.settled).to.equal(undefined);
    expect(w?.touched).to.deep.equal({ online: ['stay'], offline: ['blip'] });
  });

  it('keeps each group apart, and ignores a change that is none (a re-announce)', () => {
    const { clock, flushed, c } = setup();
    c.record(change(G, 'id-bob', true, true));
    expect(clock.pending).to.equal(0);
    c.record(change(G, 'id-bob', false, true));
    c.record(change(H, 'id-eve', true, false));
    clock.advance(1500);
    expect(flushed[0]?.windows.get(G)?.settled).to.deep.equal({ online: ['bob'], offline: [] });
    expect(flushed[0]?.windows.get(H)?.settled).to.deep.equal({ online: [], offline: ['eve'] });
  });

  it('stop cancels the pending window', () => {
    const { clock, flushed, c } = setup();
    c.record(change(G, 'id-bob', false, true));
    c.stop();
    clock.advance(5000);
    expect(flushed).to.deep.equal([]);
  });

  it('a window lasts the longest length of the groups it touched, as they are when it would end, up to MAX_WINDOW_MS', () => {
    const clock = new FakeClock();
    const flushed: number[] = [];
    let big = 4000;
    const c = new PresenceCoalescer(
      (group) => (group === G ? big : 1500),
      () => flushed.push(clock.now()),
      clock,
    );
    c.record(change(H, 'id-eve', false, true));
    clock.advance(1500);
    expect(flushed, 'a small group alone: the configured window').to.deep.equal([1500]);
    c.record(change(H, 'id-eve', true, false)); // opens at 1500
    clock.advance(1000);
    c.record(change(G, 'id-bob', false, true)); // the big group joins it: 4000 from its opening
    clock.advance(2999);
    expect(flushed).to.deep.equal([1500]);
    clock.advance(1);
    expect(flushed).to.deep.equal([1500, 5500]);
    c.record(change(G, 'id-bob', true, false)); // opens at 5500 for 4000
    big = 7000; // the group grew meanwhile
    clock.advance(4000);
    expect(flushed, 'stretched to the grown length').to.deep.equal([1500, 5500]);
    clock.advance(3000);
    expect(flushed).to.deep.equal([1500, 5500, 12_500]);
    big = 10 * MAX_WINDOW_MS;
    c.record(change(G, 'id-bob', false, true));
    clock.advance(MAX_WINDOW_MS);
    expect(flushed).to.deep.equal([1500, 5500, 12_500, 12_500 + MAX_WINDOW_MS]);
  });
});
