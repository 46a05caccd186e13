import { expect } from 'chai';
import { SealedHere } from '../../src/application/erasure/sealed-here.js';

const place = (eventId: string) => ({ eventId, path: 'data.content' });

describe('SealedHere: values sealed by this process, until read back', () => {
  it('gives a value’s plaintext once, at its own place only', () => {
    const here = new SealedHere();
    here.remember('s1', { userId: 'u', plaintext: 'p1', place: place('e1') });
    expect(here.take('s1', { eventId: 'e1', path: 'data.nickname' })).to.equal(undefined);
    expect(here.take('s1', place('e2'))).to.equal(undefined);
    expect(here.take('s1', place('e1'))).to.equal('p1');
    expect(here.take('s1', place('e1'))).to.equal(undefined);
  });

  it('keeps at most 4,096 values, dropping the oldest', () => {
    const here = new SealedHere();
    for (let i = 0; i <= 4096; i++) here.remember(`s${i}`, { userId: 'u', plaintext: `p${i}`, place: place(`e${i}`) });
    expect(here.take('s0', place('e0'))).to.equal(undefined);
    expect(here.take('s1', place('e1'))).to.equal('p1');
    expect(here.take('s4096', place('e4096'))).to.equal('p4096');
  });

  it('forgets a user’s values and keeps the others', () => {
    const here = new SealedHere();
    here.remember('a', { userId: 'alice', plaintext: 'pa', place: place('e1') });
    here.remember('b', { userId: 'bob', plaintext: 'pb', place: place('e2') });
    here.forgetUser('alice');
    expect(here.take('a', place('e1'))).to.equal(undefined);
    expect(here.take('b', place('e2'))).to.equal('pb');
  });
});
