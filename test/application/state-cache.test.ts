import { expect } from 'chai';
import { StateCache } from '../../src/application/aggregates/state-cache.js';

/** A cache of `budget` bytes with one view, entries of 10 bytes unless told. */
const cacheOf = (budget: number) => {
  const cache = new StateCache(budget);
  const view = cache.view<string>();
  const put = (key: string, size = 10): void => view.set(key, `state of ${key}`, size);
  const held = (...keys: string[]): boolean[] => keys.map((k) => view.get(k) !== undefined);
  return { cache, view, put, held };
};

/** A full cache of a, b and c (30 bytes), a read since it was recorded. */
const aReadOfThree = () => {
  const c = cacheOf(30);
  for (const k of ['a', 'b', 'c']) c.put(k);
  c.view.get('a');
  return c;
};

describe('StateCache: bounded by bytes, oldest first out, a read saves an entry once', () => {
  it('over the budget, the oldest unread entry goes first', () => {
    const { cache, put, view } = cacheOf(30);
    put('a');
    put('b');
    put('c');
    put('d');
    expect(cache.entries).to.equal(3);
    expect(cache.bytes).to.equal(30);
    expect(view.get('a')).to.equal(undefined);
    expect(view.get('d')).to.equal('state of d');
  });

  it('an entry read since it was recorded is passed over once, and the next unread one goes instead', () => {
    const { put, held } = cacheOf(30);
    put('a');
    put('b');
    put('c');
    expect(held('a')).to.deep.equal([true]);
    put('d');
    expect(held('b')).to.deep.equal([false]);
    expect(held('c', 'd')).to.deep.equal([true, true]);
  });

  it('an entry passed over waits behind the newer ones: older unread entries go before it', () => {
    const { put, held } = aReadOfThree();
    put('d'); // a is passed over (now behind d), b goes
    put('e'); // c goes
    put('f'); // d goes: a, older than d, is still held
    expect(held('a', 'b', 'c', 'd', 'e', 'f')).to.deep.equal([true, false, false, false, true, true]);
  });

  it('the second chance is used up: unread again, the entry goes at its turn', () => {
    const { put, held } = aReadOfThree();
    for (const k of ['d', 'e', 'f', 'g']) put(k);
    expect(held('a', 'e', 'f', 'g')).to.deep.equal([false, true, true, true]);
  });

  it('when every entry was read, each gets its chance and eviction still brings the cache under budget', () => {
    const { cache, put, view } = cacheOf(30);
    for (const k of ['a', 'b', 'c']) put(k);
    for (const k of ['a', 'b', 'c']) view.get(k);
    put('d');
    expect(cache.bytes).to.be.at.most(30);
    expect(view.get('d')).to.equal('state of d');
    expect(cache.entries).to.equal(3);
  });

  it('the newest entry stays even when it alone is over the budget; everything else goes', () => {
    const { cache, put, view } = cacheOf(30);
    put('a');
    view.get('a');
    put('b');
    put('big', 100);
    expect(cache.entries).to.equal(1);
    expect(cache.bytes).to.equal(100);
    expect(view.get('big')).to.equal('state of big');
  });

  it('re-recording a key replaces its size; evict drops it from its view', () => {
    const { cache, put, view } = cacheOf(100);
    put('a', 10);
    put('a', 40);
    expect(cache.bytes).to.equal(40);
    expect(cache.entries).to.equal(1);
    cache.evict('a');
    expect(cache.bytes).to.equal(0);
    expect(view.get('a')).to.equal(undefined);
  });

  it('views of different aggregates share the order and the bound', () => {
    const cache = new StateCache(20);
    const chats = cache.view<string>();
    const users = cache.view<number>();
    chats.set('chat-1', 'x', 10);
    users.set('user-1', 1, 10);
    users.set('user-2', 2, 10);
    expect(chats.get('chat-1')).to.equal(undefined);
    expect(users.get('user-1')).to.equal(1);
    expect(users.get('user-2')).to.equal(2);
  });
});
