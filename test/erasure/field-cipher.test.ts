import { expect } from 'chai';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import {
  isSealed,
  namedKeyId,
  openField,
  sealedKeyId,
  sealField,
  SealedFieldError,
  type FieldPlace,
  type Opened,
} from '../../src/application/erasure/field-cipher.js';
import type { DataKey } from '../../src/application/erasure/key-store.js';
import { normaliseContent } from '../../src/domain/chat/content.js';
import { TokenClaims } from '../../src/infrastructure/auth/claims.js';
import { isRight } from 'fp-ts/lib/Either.js';

const dataKey = (userId = 'u1'): DataKey => ({ keyId: randomBytes(16).toString('base64url'), userId, key: randomBytes(32) });
const place: FieldPlace = { eventId: '7f0c1a52-3b8e-4c1e-9d7a-2f5b6c8d9e01', path: 'data.content' };
const lookup =
  (...keys: DataKey[]) =>
  (keyId: string): DataKey | undefined =>
    keys.find((k) => k.keyId === keyId);

const opened = (value: string): Opened => ({ _tag: 'Opened', value });

/** The sealed value with one byte of its payload (iv ‖ ciphertext ‖ tag) changed. */
const flipByte = (sealed: string, index: number): string => {
  const at = sealed.lastIndexOf('.') + 1;
  const payload = Buffer.from(sealed.slice(at), 'base64url');
  payload[index] = (payload[index] ?? 0) ^ 0x01;
  return sealed.slice(0, at) + payload.toString('base64url');
};

const expectFault = (f: () => unknown, message: RegExp): void => {
  expect(f).to.throw(SealedFieldError, message);
};

describe('field cipher', () => {
  const key = dataKey();

  it('opens what it sealed: any text, empty, a full message, a long avatar URL', () => {
    const texts = ['hello', '', 'é😀 漢字 \u0000 "quoted" \\ \t', 'x'.repeat(256), '😀'.repeat(256), `https://img.example/${'a'.repeat(2020)}`];
    for (const text of texts) expect(openField(lookup(key), sealField(key, text, place), place), text).to.deep.equal(opened(text));
  });

  it('round-trips arbitrary well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(openField(lookup(key), sealField(key, text, place), place)).to.deep.equal(opened(text));
      }),
      { numRuns: 300 },
    );
  });

  it('writes one string: tab, "pd1.", the key id, ".", then unpadded base64url of iv ‖ ciphertext ‖ tag', () => {
    const sealed = sealField(key, 'hello', place);
    expect(sealed.startsWith(`\tpd1.${key.keyId}.`)).to.equal(true);
    const payload = sealed.slice(`\tpd1.${key.keyId}.`.length);
    expect(payload).to.match(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(payload, 'base64url')).to.have.length(12 + 5 + 16);
    expect(sealedKeyId(sealed)).to.equal(key.keyId);
    expect(JSON.parse(JSON.stringify({ content: sealed }))).to.deep.equal({ content: sealed });
    expect(sealField(key, '', place)).to.have.length(66);
  });

  it('names the key a value needs cheaply (namedKeyId), as the full parse does for sealed values, and nothing for plain text', () => {
    const sealed = Array.from({ length: 50 }, (_, i) => sealField(dataKey(`u${i}`), 'x'.repeat(i), place));
    for (const s of sealed) expect(namedKeyId(s)).to.equal(sealedKeyId(s));
    for (const plain of ['hello', '', 'pd1.x.y', '\tpd1.', `\tpd1.${key.keyId}`, `\tpd2.${key.keyId}.AAAA`])
      expect(namedKeyId(plain), plain).to.equal(undefined);
  });

  it('uses a fresh IV for every value: the same text never seals the same way twice', () => {
    const sealed = Array.from({ length: 2000 }, () => sealField(key, 'same text', place));
    expect(new Set(sealed).size).to.equal(sealed.length);
    const ivs = sealed.map((s) =>
      Buffer.from(s.slice(s.lastIndexOf('.') + 1), 'base64url')
        .subarray(0, 12)
        .toString('hex'),
    );
    expect(new Set(ivs).size).to.equal(sealed.length);
  });

  it('refuses a value moved to another event or another field (associated data)', () => {
    const sealed = sealField(key, 'secret', place);
    expectFault(() => openField(lookup(key), sealed, { ...place, eventId: '7f0c1a52-3b8e-4c1e-9d7a-2f5b6c8d9e02' }), /does not authenticate/);
    expectFault(() => openField(lookup(key), sealed, { ...place, path: 'data.nickname' }), /does not authenticate/);
  });

  it('refuses a value whose key id was swapped for another live key’s', () => {
    const other = dataKey('u2');
    const sealed = sealField(key, 'secret', place);
    const swapped = sealed.replace(key.keyId, other.keyId);
    expectFault(() => openField(lookup(key, other), swapped, place), /does not authenticate/);
  });

  it('answers "erased", as a value, when the key is gone', () => {
    const sealed = sealField(key, 'secret', place);
    expect(openField(lookup(), sealed, place)).to.deep.equal({ _tag: 'Erased', keyId: key.keyId });
    expect(openField(lookup(dataKey()), sealed, place)).to.deep.equal({ _tag: 'Erased', keyId: key.keyId });
  });

  it('throws on any changed byte of iv, ciphertext or tag, and on a cut value', () => {
    const sealed = sealField(key, 'a message of some length', place);
    const length = Buffer.from(sealed.slice(sealed.lastIndexOf('.') + 1), 'base64url').length;
    for (let i = 0; i < length; i++) expectFault(() => openField(lookup(key), flipByte(sealed, i), place), /does not authenticate/);
    const shortened = sealField(key, 'abc', place);
    expectFault(() => openField(lookup(key), shortened.slice(0, -4), place), /does not authenticate|not a sealed value/);
    expectFault(() => openField(lookup(key), sealed.slice(0, 40), place), /not a sealed value/);
  });

  it('throws on values that are not sealed, and parses only the canonical encoding', () => {
    for (const value of [
      'hello',
      '',
      'pd1.x.y',
      `pd1.${key.keyId}.${'A'.repeat(40)}`,
      `\tpd1.${key.keyId}.${'A'.repeat(37)}`,
      `\tpd2.${key.keyId}.${'A'.repeat(40)}`,
    ]) {
      expect(isSealed(value), value).to.equal(false);
      expectFault(() => openField(lookup(key), value, place), /not a sealed value/);
    }
    const sealed = sealField(key, 'x', place);
    expect(isSealed(sealed)).to.equal(true);
    // 29 payload bytes: the last of 39 characters carries 2 unused bits, so a neighbour decodes to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = sealed.slice(0, -1) + (alphabet[alphabet.indexOf(sealed.at(-1) ?? '') ^ 1] ?? '');
    const payload = (s: string): Buffer => Buffer.from(s.slice(s.lastIndexOf('.') + 1), 'base64url');
    expect(payload(twin).equals(payload(sealed))).to.equal(true);
    expect(isSealed(twin)).to.equal(false);
  });

  it('refuses to seal a lone surrogate, which UTF-8 cannot carry back', () => {
    expect(() => sealField(key, 'a\ud800b', place)).to.throw(RangeError, /lone surrogate/);
    expect(openField(lookup(key), sealField(key, 'a\ud83d\ude00b', place), place)).to.deep.equal(opened('a\ud83d\ude00b'));
  });

  describe('no legitimate plaintext of a sealed field has the sealed form', () => {
    const samples = Array.from({ length: 30 }, (_, i) => sealField(dataKey(), 'x'.repeat(i * 7), place));
    const sealedLike = fc.constantFrom(...samples);
    // Arbitrary text, sealed values, and sealed values padded or cut as a user might try.
    const candidates = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      sealedLike,
      sealedLike.map((s) => ` ${s} `),
      sealedLike.map((s) => s.trim()),
      sealedLike.map((s) => s.slice(0, 50)),
      sealedLike.map((s) => `https://x.example/${s}`),
    );
    const claims = (profile: Record<string, string>): boolean => isRight(TokenClaims.decode({ sub: 'u1', username: 'alice', exp: 1, ...profile }));

    it('the validators refuse every sealed value itself', () => {
      for (const s of samples) {
        expect(normaliseContent(s), 'content').to.not.equal(s);
        expect(claims({ username: s }), 'username').to.equal(false);
        expect(claims({ nickname: s }), 'nickname').to.equal(false);
        expect(claims({ avatar: s }), 'avatar').to.equal(false);
      }
    });

    it('message content as stored (trimmed), usernames, nicknames and avatars the validators accept', () => {
      fc.assert(
        fc.property(candidates, (raw) => {
          const content = normaliseContent(raw);
          if (content !== undefined) expect(isSealed(content), 'content').to.equal(false);
          for (const field of ['username', 'nickname', 'avatar']) if (claims({ [field]: raw })) expect(isSealed(raw), field).to.equal(false);
        }),
        { numRuns: 3000 },
      );
    });
  });
});
