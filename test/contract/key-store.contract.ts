import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataKey, KeyStore } from '../../src/application/erasure/key-store.js';
import { KeyUnwrapError } from '../../src/infrastructure/keys/key-wrap.js';
import { rejectionOf } from '../support/rejection.js';

export interface KeyStoreHarness {
  readonly store: KeyStore;
  /** Another store over the same data, with this wrapping key (the harness's own by default); the caller closes it. */
  readonly open: (wrappingKey?: Buffer) => Promise<KeyStore>;
  readonly cleanup: () => Promise<void>;
}

const KEY_ID = /^[A-Za-z0-9_-]{22}$/;

/** Behaviour every KeyStore adapter must have; each test uses its own user ids, so a shared server is fine. */
export function keyStoreContract(name: string, make: () => Promise<KeyStoreHarness>): void {
  describe(`KeyStore contract: ${name}`, function () {
    this.timeout(30_000);
    let harness: KeyStoreHarness;
    let store: KeyStore;
    const others: KeyStore[] = [];
    const user = (): string => `user-${randomUUID()}`;
    const other = async (wrappingKey?: Buffer): Promise<KeyStore> => {
      const s = await harness.open(wrappingKey);
      others.push(s);
      return s;
    };
    const currentKey = async (s: KeyStore, userId: string): Promise<DataKey> => {
      const key = (await s.currentKeys([userId])).get(userId);
      if (key === undefined) throw new Error(`no key for ${userId}`);
      return key;
    };

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });
    afterEach(async () => {
      for (const s of others.splice(0)) await s.close();
      await harness.cleanup();
    });

    it('creates a key on first use: 32 random bytes under a random 22-character id', async () => {
      const u = user();
      const key = await currentKey(store, u);
      expect(key.userId).to.equal(u);
      expect(key.key).to.have.length(32);
      expect(key.keyId).to.match(KEY_ID);
      expect(key.keyId).to.not.include(u);
      expect(key.key.equals(Buffer.alloc(32))).to.equal(false);
    });

    it('answers the same key for the user afterwards, also from another store over the same data', async () => {
      const u = user();
      const first = await currentKey(store, u);
      expect(await currentKey(store, u)).to.deep.equal(first);
      expect(await currentKey(await other(), u)).to.deep.equal(first);
    });

    it('gives every user their own key, in one batch, whether they had one or not', async () => {
      const [a, b, c] = [user(), user(), user()];
      const ka = await currentKey(store, a);
      const keys = await store.currentKeys([a, b, c, b, a]);
      expect([...keys.keys()].sort()).to.deep.equal([a, b, c].sort());
      expect(keys.get(a)).to.deep.equal(ka);
      const all = [...keys.values()];
      expect(new Set(all.map((k) => k.keyId)).size).to.equal(3);
      expect(new Set(all.map((k) => k.key.toString('hex'))).size).to.equal(3);
      for (const [u, k] of keys) expect(k.userId).to.equal(u);
      expect(await store.currentKeys([])).to.have.property('size', 0);
    });

    it('does not derive key ids or keys from the user id: the same user in another store gets other ones', async () => {
      const u = user();
      const mine = await currentKey(store, u);
      const elsewhere = await make();
      try {
        const theirs = await currentKey(elsewhere.store, u);
        expect(theirs.keyId).to.not.equal(mine.keyId);
        expect(theirs.key.equals(mine.key)).to.equal(false);
      } finally {
        await elsewhere.cleanup();
      }
    });

    it('ends with one key when many callers on two stores create the same users at once', async () => {
      const users = Array.from({ length: 20 }, user);
      const second = await other();
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? store : second).currentKeys(users)));
      for (const u of users) {
        const ids = new Set(answers.map((a) => a.get(u)?.keyId));
        expect([...ids], u).to.have.length(1);
      }
      const stored = await store.keysByIds(answers.flatMap((a) => [...a.values()].map((k) => k.keyId)));
      expect(stored.size).to.equal(users.length);
    });

    it('finds keys by id; an unknown id is absent, not an error', async () => {
      const [a, b] = [user(), user()];
      const keys = await store.currentKeys([a, b]);
      const ka = keys.get(a);
      const kb = keys.get(b);
      if (ka === undefined || kb === undefined) throw new Error('keys missing');
      const unknown = randomBytes(16).toString('base64url');
      const found = await store.keysByIds([ka.keyId, unknown, kb.keyId, ka.keyId]);
      expect([...found.keys()].sort()).to.deep.equal([ka.keyId, kb.keyId].sort());
      expect(found.get(ka.keyId)).to.deep.equal(ka);
      expect(found.get(kb.keyId)).to.deep.equal(kb);
      expect(await store.keysByIds([])).to.have.property('size', 0);
    });

    it('destroys a user’s keys, idempotently, and touches no one else’s', async () => {
      const [gone, kept] = [user(), user()];
      const keys = await store.currentKeys([gone, kept]);
      const old = keys.get(gone);
      const keptKey = keys.get(kept);
      if (old === undefined || keptKey === undefined) throw new Error('keys missing');
      expect(await store.destroyKeysOf([gone, gone, user()])).to.equal(1);
      expect(await store.destroyKeysOf([gone])).to.equal(0);
      expect(await store.destroyKeysOf([])).to.equal(0);
      expect((await store.keysByIds([old.keyId, keptKey.keyId])).has(old.keyId)).to.equal(false);
      expect((await (await other()).keysByIds([old.keyId])).size).to.equal(0);
      expect(await currentKey(store, kept)).to.deep.equal(keptKey);
    });

    it('names users’ live key ids without creating keys for those that have none', async () => {
      const [a, b, none] = [user(), user(), user()];
      const keys = await store.currentKeys([a, b]);
      const ids = await store.keyIdsOf([a, none, b, a]);
      expect(ids.size).to.equal(2);
      expect(ids.get(a)).to.equal(keys.get(a)?.keyId);
      expect(ids.get(b)).to.equal(keys.get(b)?.keyId);
      expect(await store.usersWithKeys()).to.not.include(none);
      expect(await store.keyIdsOf([])).to.have.property('size', 0);
      await store.destroyKeysOf([a]);
      expect([...(await store.keyIdsOf([a, b])).keys()]).to.deep.equal([b]);
    });

    it('destroys keys by id, idempotently, whoever holds them, and touches no other key', async () => {
      const [a, b, c] = [user(), user(), user()];
      const keys = await store.currentKeys([a, b, c]);
      const [ka, kb, kc] = [keys.get(a), keys.get(b), keys.get(c)];
      if (ka === undefined || kb === undefined || kc === undefined) throw new Error('keys missing');
      const unknown = randomBytes(16).toString('base64url');
      expect(await store.destroyKeys([ka.keyId, kb.keyId, unknown, ka.keyId])).to.equal(2);
      expect(await store.destroyKeys([ka.keyId])).to.equal(0);
      expect(await store.destroyKeys([])).to.equal(0);
      expect([...(await (await other()).keysByIds([ka.keyId, kb.keyId, kc.keyId])).keys()]).to.deep.equal([kc.keyId]);
      expect(await store.usersWithKeys()).to.not.include.members([a, b]);
    });

    it('gives a destroyed user a new key, under a new id, and the old one stays gone', async () => {
      const u = user();
      const old = await currentKey(store, u);
      await store.destroyKeysOf([u]);
      const fresh = await currentKey(store, u);
      expect(fresh.keyId).to.not.equal(old.keyId);
      expect(fresh.key.equals(old.key)).to.equal(false);
      expect([...(await store.keysByIds([old.keyId, fresh.keyId])).keys()]).to.deep.equal([fresh.keyId]);
    });

    it('lists the users that have keys', async () => {
      const [a, b, c] = [user(), user(), user()];
      await store.currentKeys([a, b, c]);
      await store.destroyKeysOf([b]);
      const listed = await store.usersWithKeys();
      expect(listed).to.include.members([a, c]);
      expect(listed).to.not.include(b);
      expect(new Set(listed).size).to.equal(listed.length);
    });

    it('is durable: a store opened after this one closed reads the same keys', async () => {
      const u = user();
      const key = await currentKey(store, u);
      await store.close();
      const reopened = await other();
      expect(await reopened.keysByIds([key.keyId])).to.deep.equal(new Map([[key.keyId, key]]));
      expect(await currentKey(reopened, u)).to.deep.equal(key);
    });

    it('refuses, as a fault and not as "erased", keys wrapped under another wrapping key', async () => {
      const u = user();
      const key = await currentKey(store, u);
      const wrong = await other(randomBytes(32));
      await expectRejected(wrong.keysByIds([key.keyId]), KeyUnwrapError);
      await expectRejected(wrong.currentKeys([u]), KeyUnwrapError);
    });
  });
}

const expectRejected = async (p: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> => {
  expect(await rejectionOf(p)).to.be.instanceOf(type);
};
