import { expect } from 'chai';
import { tokenExpiry, tokenSubject } from '../../sdk/src/jwt.js';
import { TokenSource } from '../../sdk/src/tokens.js';
import { FakeClock, fakeJwt } from './fakes.js';

describe('sdk: tokens', () => {
  it('reads exp and sub from the payload without verifying, whatever its characters', () => {
    const token = fakeJwt({ sub: 'id-ünï', exp: 1_900_000_000, nickname: 'Zoë 🏓' });
    expect(tokenExpiry(token)).to.equal(1_900_000_000_000);
    expect(tokenSubject(token)).to.equal('id-ünï');
    expect(tokenExpiry('not-a-jwt')).to.equal(undefined);
    expect(tokenExpiry('a.!!!.c')).to.equal(undefined);
    expect(tokenExpiry(fakeJwt({ sub: 'x' }))).to.equal(undefined);
  });

  it('asks getToken again only when the token is within the margin of exp, or when forced; one call at a time', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const source = new TokenSource(async () => fakeJwt({ exp: Math.floor(clock.now() / 1000) + 120, n: ++calls }), clock, 60_000);
    const [a, b] = await Promise.all([source.current(), source.current()]);
    expect(a).to.equal(b);
    expect(calls).to.equal(1);
    expect(source.refreshAt()).to.equal(clock.now() + 60_000);
    await clock.advance(59_999);
    expect(await source.current()).to.equal(a);
    await clock.advance(1);
    expect(await source.current()).to.not.equal(a);
    expect(calls).to.equal(2);
    await source.current(true);
    expect(calls).to.equal(3);
  });
});
