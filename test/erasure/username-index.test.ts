import { expect } from 'chai';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsernameIndex } from '../../src/application/erasure/username-index.js';
import { loadMasterKeys } from '../../src/infrastructure/keys/master-key.js';

// Known answers from `printf alice | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001…1f`.
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

describe('username index', () => {
  const index = new UsernameIndex(KEY);

  it('is the lowercase hex HMAC-SHA-256 of the username under the index key', () => {
    expect(index.hash('alice')).to.equal('6eefad2bed97b6d93ee663d67a44b46016b3d79dcad54ada39b61a1d14874d1b');
    expect(index.hash('Alice')).to.equal('c04cd7fb082cd5fc62c1d57d1a5f6daad1a335cf16359f6074987c2cdb55a9a1');
  });

  it('is stable, 64 hex characters, and tells usernames apart (case included)', () => {
    const again = new UsernameIndex(Buffer.from(KEY));
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.-]{1,50}$/), fc.stringMatching(/^[A-Za-z0-9_.-]{1,50}$/), (a, b) => {
        expect(index.hash(a)).to.match(/^[0-9a-f]{64}$/);
        expect(again.hash(a)).to.equal(index.hash(a));
        expect(index.hash(a) === index.hash(b)).to.equal(a === b);
      }),
    );
  });

  it('hashes the NFC form', () => {
    expect(index.hash('caf\u0065\u0301')).to.equal(index.hash('caf\u00e9'));
  });

  it('differs under another master key, and for the same master key agrees across loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'username-index-'));
    try {
      const [m1, m2] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
      const one = new UsernameIndex(loadMasterKeys(m1, dir).usernameIndexKey);
      const two = new UsernameIndex(loadMasterKeys(m2, dir).usernameIndexKey);
      const oneAgain = new UsernameIndex(loadMasterKeys(m1, dir).usernameIndexKey);
      for (const name of ['alice', 'bob', 'x', 'a.b-c_d']) {
        expect(one.hash(name)).to.not.equal(two.hash(name));
        expect(oneAgain.hash(name)).to.equal(one.hash(name));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new UsernameIndex(randomBytes(16))).to.throw(RangeError);
  });
});
