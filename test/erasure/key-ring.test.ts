import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SealedFieldError, type FieldPlace } from '../../src/application/erasure/field-cipher.js';
import { KeyRing, keyIdsOf } from '../../src/application/erasure/key-ring.js';
import type { DataKey, KeyStore } from '../../src/application/erasure/key-store.js';
import { SqliteKeyStore } from '../../src/infrastructure/keys/sqlite-key-store.js';

/** A KeyStore that records the batches it is asked for, and can hold a `keysByIds` answer back. */
class RecordingStore implements KeyStore {
  readonly byIdCalls: string[][] = [];
  readonly currentCalls: string[][] = [];
  /** When set, the next keysByIds waits for it after reading the store. */
  gate: Promise<void> | undefined;

  constructor(private readonly inner: KeyStore) {}

  currentKeys(userIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    this.currentCalls.push([...userIds]);
    return this.inner.currentKeys(userIds);
  }
  async keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    this.byIdCalls.push([...keyIds]);
    const answer = await this.inner.keysByIds(keyIds);
    const gate = this.gate;
    this.gate = undefined;
    if (gate !== undefined) await gate;
    return answer;
  }
  keyIdsOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return this.inner.keyIdsOf(userIds);
  }
  destroyKeysOf(userIds: readonly string[]): Promise<number> {
    return this.inner.destroyKeysOf(userIds);
  }
  destroyKeys(keyIds: readonly string[]): Promise<number> {
    return this.inner.destroyKeys(keyIds);
  }
  usersWithKeys(): Promise<readonly string[]> {
    return this.inner.usersWithKeys();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const at = (eventId: string, path = 'data.content'): FieldPlace => ({ eventId, path });

describe('KeyRing', () => {
  let directory: string;
  let sqlite: SqliteKeyStore;
  let store: RecordingStore;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'key-ring-'));
    sqlite = SqliteKeyStore.open({ directory, wrappingKey: randomBytes(32) });
    store = new RecordingStore(sqlite);
  });
  afterEach(async () => {
    await sqlite.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('seals with the user’s current key and opens on another ring over the same store', async () => {
    const writer = new KeyRing(store);
    await writer.loadCurrent(['alice', 'bob']);
    const a = writer.seal('alice', 'hi bob', at('e1'));
    const b = writer.seal('bob', 'hi alice', at('e2'));
    const reader = new KeyRing(store);
    await reader.load(keyIdsOf([a, b, 'not sealed']));
    expect(reader.open(a, at('e1'))).to.deep.equal({ _tag: 'Opened', value: 'hi bob' });
    expect(reader.open(b, at('e2'))).to.deep.equal({ _tag: 'Opened', value: 'hi alice' });
    expect(() => reader.open(a, at('e2'))).to.throw(SealedFieldError);
  });

  it('fetches only the keys it does not know, in one batch per load', async () => {
    const writer = new KeyRing(store);
    await writer.loadCurrent(['a', 'b', 'c', 'd']);
    await writer.loadCurrent(['a', 'b']);
    expect(store.currentCalls).to.deep.equal([['a', 'b', 'c', 'd']]);
    const [ia, ib, ic, id] = ['a', 'b', 'c', 'd'].map((u) => [...keyIdsOf([writer.seal(u, u, at('e'))])][0]);
    if (ia === undefined || ib === undefined || ic === undefined || id === undefined) throw new Error('not sealed');
    const reader = new KeyRing(store);
    await reader.load([ia, ib, ic, ia]);
    await reader.load([ia, ib]);
    await reader.load([ia, id]);
    expect(store.byIdCalls).to.deep.equal([[ia, ib, ic], [id]]);
  });

  it('creates the keys of users sealing in one turn of the event loop in one store call', async () => {
    const ring = new KeyRing(store);
    await Promise.all([ring.loadCurrent(['a']), ring.loadCurrent(['b', 'a']), ring.loadCurrent(['c'])]);
    expect(store.currentCalls).to.deep.equal([['a', 'b', 'c']]);
    for (const u of ['a', 'b', 'c']) expect(ring.open(ring.seal(u, u, at('e')), at('e'))).to.deep.equal({ _tag: 'Opened', value: u });
    await ring.loadCurrent(['d']);
    expect(store.currentCalls).to.deep.equal([['a', 'b', 'c'], ['d']]);
  });

  it('remembers an absent key as erased, without asking the store again', async () => {
    const writer = new KeyRing(store);
    await writer.loadCurrent(['gone']);
    const sealed = writer.seal('gone', 'bye', at('e1'));
    expect(await store.destroyKeysOf(['gone'])).to.equal(1);
    const reader = new KeyRing(store);
    await reader.load(keyIdsOf([sealed]));
    await reader.load(keyIdsOf([sealed]));
    expect(reader.open(sealed, at('e1'))).to.deep.equal({ _tag: 'Erased', keyId: [...keyIdsOf([sealed])][0] });
    expect(store.byIdCalls).to.have.length(1);
  });

  it('refuses to seal or open with a key it was not asked to load', async () => {
    const writer = new KeyRing(store);
    expect(() => writer.seal('alice', 'x', at('e1'))).to.throw(/loadCurrent first/);
    await writer.loadCurrent(['alice']);
    const sealed = writer.seal('alice', 'x', at('e1'));
    expect(() => new KeyRing(store).open(sealed, at('e1'))).to.throw(/load first/);
  });

  it('forgetUser: the erased user’s data reads as erased, and new data of theirs gets a new key', async () => {
    const ring = new KeyRing(store);
    await ring.loadCurrent(['alice', 'bob']);
    const old = ring.seal('alice', 'before', at('e1'));
    const bobs = ring.seal('bob', 'kept', at('e2'));
    await ring.load(keyIdsOf([old, bobs]));
    await store.destroyKeysOf(['alice']);
    // Cached keys outlive the store's until the ring is told.
    expect(ring.open(old, at('e1'))).to.deep.equal({ _tag: 'Opened', value: 'before' });
    ring.forgetUser('alice');
    await ring.load(keyIdsOf([old, bobs]));
    expect(ring.open(old, at('e1'))._tag).to.equal('Erased');
    expect(ring.open(bobs, at('e2'))).to.deep.equal({ _tag: 'Opened', value: 'kept' });
    await ring.loadCurrent(['alice']);
    const fresh = ring.seal('alice', 'after', at('e3'));
    expect([...keyIdsOf([fresh])]).to.not.deep.equal([...keyIdsOf([old])]);
    await ring.load(keyIdsOf([fresh]));
    expect(ring.open(fresh, at('e3'))).to.deep.equal({ _tag: 'Opened', value: 'after' });
    expect(ring.open(old, at('e1'))._tag).to.equal('Erased');
  });

  it('does not keep a key fetched before a forgetUser that overlapped the fetch', async () => {
    const writer = new KeyRing(store);
    await writer.loadCurrent(['alice']);
    const sealed = writer.seal('alice', 'secret', at('e1'));
    const reader = new KeyRing(store);
    let release = (): void => {};
    store.gate = new Promise<void>((resolve) => (release = resolve));
    const loading = reader.load(keyIdsOf([sealed]));
    // The fetch has read the live key and is held; meanwhile the key is destroyed and the ring told.
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.destroyKeysOf(['alice']);
    reader.forgetUser('alice');
    release();
    await loading;
    expect(store.byIdCalls).to.have.length(2);
    expect(reader.open(sealed, at('e1'))._tag).to.equal('Erased');
  });

  it('opens a value it sealed itself from memory, once, and only at its own place', async () => {
    const ring = new KeyRing(store, { maxKeys: 1 });
    await ring.loadCurrent(['a']);
    const sealed = ring.seal('a', 'mine', at('e1'));
    // Another user's key evicts a's (maxKeys 1): only the memory of what was sealed can open it now.
    await ring.loadCurrent(['b']);
    expect(() => ring.open(sealed, at('e2')), 'moved to another event').to.throw(/not loaded/);
    expect(ring.open(sealed, at('e1'))).to.deep.equal({ _tag: 'Opened', value: 'mine' });
    expect(() => ring.open(sealed, at('e1')), 'taken once').to.throw(/not loaded/);
  });

  it('forgetUser also drops the values it sealed for the user and has not read back', async () => {
    const ring = new KeyRing(store);
    await ring.loadCurrent(['alice']);
    const sealed = ring.seal('alice', 'unread', at('e1'));
    await store.destroyKeysOf(['alice']);
    ring.forgetUser('alice');
    await ring.load(keyIdsOf([sealed]));
    expect(ring.open(sealed, at('e1'))._tag).to.equal('Erased');
  });

  it('keeps at most maxKeys keys: an evicted key is loaded again', async () => {
    const writer = new KeyRing(store);
    await writer.loadCurrent(['a', 'b', 'c']);
    const [sa, sb, sc] = ['a', 'b', 'c'].map((u) => writer.seal(u, u, at('e')));
    if (sa === undefined || sb === undefined || sc === undefined) throw new Error('not sealed');
    const ring = new KeyRing(store, { maxKeys: 2 });
    for (const s of [sa, sb, sc]) await ring.load(keyIdsOf([s]));
    expect(() => ring.open(sa, at('e'))).to.throw(/not loaded/);
    expect(ring.open(sc, at('e'))).to.deep.equal({ _tag: 'Opened', value: 'c' });
    await ring.load(keyIdsOf([sa]));
    expect(ring.open(sa, at('e'))).to.deep.equal({ _tag: 'Opened', value: 'a' });
  });
});
