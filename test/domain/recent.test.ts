import { expect } from 'chai';
import { Recent } from '../../src/domain/shared/recent.js';

describe('Recent (a bounded, ordered, immutable window)', () => {
  const filled = (n: number, limit: number): Recent<number> =>
    Array.from({ length: n }, (_, i) => i).reduce((r, i) => r.set(`k${i}`, i), Recent.empty<number>(limit));

  it('keeps exactly the last `limit` keys set, oldest first, across pages', () => {
    const r = filled(1234, 1000);
    expect(r.size).to.equal(1000);
    expect([...r.keys()]).to.deep.equal(Array.from({ length: 1000 }, (_, i) => `k${i + 234}`));
    expect(r.get('k233')).to.equal(undefined);
    expect(r.get('k234')).to.equal(234);
    expect(r.has('k1233')).to.equal(true);
  });

  it('moves a key set again to the newest place, with its new value', () => {
    const r = filled(120, 100).set('k30', -1);
    expect(r.size).to.equal(100);
    expect([...r.entries()].slice(-2)).to.deep.equal([
      ['k119', 119],
      ['k30', -1],
    ]);
    // So the next eviction forgets k20, not k30.
    const next = r.set('new', 0);
    expect([next.get('k20'), next.get('k30'), next.get('k21')]).to.deep.equal([undefined, -1, 21]);
  });

  it('never changes a window it was derived from', () => {
    const before = filled(60, 50);
    const keys = [...before.keys()];
    before.set('k59', 0).set('x', 1);
    expect([...before.keys()]).to.deep.equal(keys);
    expect(before.get('k59')).to.equal(59);
  });

  it('rebuilds from pairs as it was, keeping the newest `limit`, whatever the repeats', () => {
    const r = filled(1000, 1000);
    expect([...Recent.of(1000, [...r.entries()]).entries()]).to.deep.equal([...r.entries()]);
    expect([
      ...Recent.of(2, [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]).entries(),
    ]).to.deep.equal([
      ['b', 2],
      ['c', 3],
    ]);
    const repeated = Recent.of(10, [['a', 1], ...Array.from({ length: 60 }, (_, i): [string, number] => [`k${i}`, i]), ['a', 2]]);
    expect([repeated.size, repeated.get('a'), [...repeated.keys()].filter((k) => k === 'a').length]).to.deep.equal([10, 2, 1]);
  });
});
