import { expect } from 'chai';
import Database from 'better-sqlite3';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataKey } from '../../src/application/erasure/key-store.js';
import { KeyUnwrapError, WRAPPED_KEY_BYTES } from '../../src/infrastructure/keys/key-wrap.js';
import { KEYS_DB_FILE, SqliteKeyStore } from '../../src/infrastructure/keys/sqlite-key-store.js';
import { keyStoreContract } from '../contract/key-store.contract.js';
import { rejectionOf } from '../support/rejection.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sqlite-keys-'));

keyStoreContract('SqliteKeyStore', async () => {
  const directory = tempDir();
  const wrappingKey = randomBytes(32);
  const store = SqliteKeyStore.open({ directory, wrappingKey });
  return {
    store,
    open: async (key = wrappingKey) => SqliteKeyStore.open({ directory, wrappingKey: key }),
    cleanup: async () => {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

const FILES = [KEYS_DB_FILE, `${KEYS_DB_FILE}-wal`, `${KEYS_DB_FILE}-shm`];

/** The files (of keys.db, its WAL and shm) whose raw bytes hold the needle. */
const filesHolding = (directory: string, needle: Buffer): string[] =>
  FILES.filter((f) => existsSync(join(directory, f)) && readFileSync(join(directory, f)).includes(needle));

/** The stored (wrapped) form of each user's key, read with a connection of its own. */
const wrappedOf = (directory: string): Map<string, Buffer> => {
  const db = new Database(join(directory, KEYS_DB_FILE), { readonly: true });
  try {
    const rows = db.prepare<[], { user_id: string; wrapped: Buffer }>('SELECT user_id, wrapped FROM data_keys').all();
    return new Map(rows.map((r) => [r.user_id, r.wrapped]));
  } finally {
    db.close();
  }
};

const usersFrom = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `user-${from + i}`);

describe('SqliteKeyStore beyond the contract', () => {
  let directory: string;
  let wrappingKey: Buffer;
  let store: SqliteKeyStore;
  beforeEach(() => {
    directory = tempDir();
    wrappingKey = randomBytes(32);
    store = SqliteKeyStore.open({ directory, wrappingKey });
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Creates keys in batches of 10 (many transactions: many copies of pages in the WAL). */
  const create = async (users: readonly string[]): Promise<Map<string, DataKey>> => {
    const keys = new Map<string, DataKey>();
    for (let i = 0; i < users.length; i += 10) for (const [u, k] of await store.currentKeys(users.slice(i, i + 10))) keys.set(u, k);
    return keys;
  };

  it('keeps keys.db in WAL mode, in its own file in the directory', () => {
    const db = new Database(join(directory, KEYS_DB_FILE), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
    } finally {
      db.close();
    }
  });

  it('stores keys only wrapped: the raw files never hold a key in clear, and a row is 61 bytes of something else', async () => {
    const keys = await create(usersFrom(0, 50));
    const wrapped = wrappedOf(directory);
    for (const [u, key] of keys) {
      const w = wrapped.get(u);
      expect(w, u).to.have.length(WRAPPED_KEY_BYTES);
      expect(w?.includes(key.key), u).to.equal(false);
      expect(filesHolding(directory, key.key), u).to.deep.equal([]);
    }
    await store.destroyKeysOf(usersFrom(0, 10));
    await store.close();
    for (const key of keys.values()) expect(filesHolding(directory, key.key)).to.deep.equal([]);
  });

  it('leaves no copy of a destroyed key in keys.db, its WAL or its shm, where the same scan found it before', async () => {
    const users = usersFrom(0, 300);
    await create(users);
    const wrapped = wrappedOf(directory);
    const destroyed = users.filter((_, i) => i % 3 === 0);
    for (const u of destroyed) expect(filesHolding(directory, wrapped.get(u) ?? Buffer.alloc(0)), u).to.not.deep.equal([]);
    expect(filesHolding(directory, wrapped.get('user-0') ?? Buffer.alloc(0))).to.include(`${KEYS_DB_FILE}-wal`);

    // Half in one batch, the rest one by one.
    const half = destroyed.length / 2;
    expect(await store.destroyKeysOf(destroyed.slice(0, half))).to.equal(half);
    for (const u of destroyed.slice(half)) expect(await store.destroyKeysOf([u])).to.equal(1);

    for (const u of destroyed) expect(filesHolding(directory, wrapped.get(u) ?? Buffer.alloc(0)), u).to.deep.equal([]);
    // The scan still sees what was kept: an empty result above is not a blind scan.
    for (const u of users.filter((_, i) => i % 3 !== 0)) expect(filesHolding(directory, wrapped.get(u) ?? Buffer.alloc(0)), u).to.not.deep.equal([]);
  });

  it('also scrubs keys that were checkpointed into keys.db, through rounds of creating and destroying', async () => {
    const everWrapped = new Map<string, Buffer>();
    const destroyed: string[] = [];
    for (let round = 0; round < 5; round++) {
      await create(usersFrom(round * 100, 100));
      for (const [u, w] of wrappedOf(directory)) everWrapped.set(u, w);
      // Reopening checkpoints the WAL into keys.db: the keys now sit in the database file itself.
      await store.close();
      store = SqliteKeyStore.open({ directory, wrappingKey });
      const live = await store.usersWithKeys();
      const victims = live.filter((_, i) => i % 4 === round % 4);
      for (const u of victims) expect(filesHolding(directory, everWrapped.get(u) ?? Buffer.alloc(0)), u).to.include(KEYS_DB_FILE);
      expect(await store.destroyKeysOf(victims)).to.equal(victims.length);
      destroyed.push(...victims);
    }
    expect(destroyed.length).to.be.greaterThan(100);
    for (const u of destroyed) expect(filesHolding(directory, everWrapped.get(u) ?? Buffer.alloc(0)), u).to.deep.equal([]);
    expect(statSync(join(directory, `${KEYS_DB_FILE}-wal`)).size).to.equal(0);
  });

  it('does not report a destroy done while a reader keeps the WAL from being emptied; destroying again finishes it', async () => {
    await store.close();
    store = SqliteKeyStore.open({ directory, wrappingKey, busyTimeoutMs: 50 });
    await create(usersFrom(0, 20));
    const wrapped = wrappedOf(directory).get('user-0') ?? Buffer.alloc(0);
    const reader = new Database(join(directory, KEYS_DB_FILE), { readonly: true });
    try {
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT count(*) FROM data_keys').get();
      let failure: unknown;
      await store.destroyKeysOf(['user-0']).catch((e: unknown) => (failure = e));
      expect(String(failure)).to.match(/could not be emptied/);
      reader.prepare('COMMIT').run();
    } finally {
      reader.close();
    }
    expect(await store.destroyKeysOf(['user-0'])).to.equal(0);
    expect(filesHolding(directory, wrapped)).to.deep.equal([]);
  });

  it('refuses a wrapped key moved to another user or another id (they are its associated data)', async () => {
    const keys = await create(['a', 'b']);
    const ka = keys.get('a');
    if (ka === undefined) throw new Error('no key');
    const db = new Database(join(directory, KEYS_DB_FILE));
    try {
      db.prepare("UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE user_id = 'a') WHERE user_id = 'b'").run();
      await expectUnwrapError(store.currentKeys(['b']));
      expect((await store.currentKeys(['a'])).get('a')).to.deep.equal(ka);
      db.prepare("UPDATE data_keys SET key_id = 'AAAAAAAAAAAAAAAAAAAAAA' WHERE user_id = 'a'").run();
      await expectUnwrapError(store.keysByIds(['AAAAAAAAAAAAAAAAAAAAAA']));
    } finally {
      db.close();
    }
  });

  it('gives two processes racing on one keys.db the same key for every user', async function () {
    this.timeout(60_000);
    await store.close();
    const users = usersFrom(0, 200);
    const childPath = fileURLToPath(new URL('./fixtures/key-store-race-child.js', import.meta.url));
    const children: ChildProcess[] = [0, 1].map(() =>
      fork(childPath, [directory, wrappingKey.toString('hex'), users.join(',')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    try {
      const ready = children.map((c) => new Promise<void>((resolve, reject) => c.once('message', () => resolve()).once('exit', reject)));
      await Promise.all(ready);
      const answers = children.map(
        (c) =>
          new Promise<Record<string, string>>((resolve, reject) => {
            c.once('message', (m: { keyIds: Record<string, string> }) => resolve(m.keyIds));
            c.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
          }),
      );
      for (const c of children) c.send('go');
      const [first, second] = await Promise.all(answers);
      expect(Object.keys(first ?? {})).to.have.length(users.length);
      expect(second).to.deep.equal(first);
      store = SqliteKeyStore.open({ directory, wrappingKey });
      expect(await store.usersWithKeys()).to.have.length(users.length);
      const stored = await store.currentKeys(users);
      expect(Object.fromEntries([...stored].map(([u, k]) => [u, k.keyId]))).to.deep.equal(first);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill();
    }
  });
});

const expectUnwrapError = async (p: Promise<unknown>): Promise<void> => {
  expect(await rejectionOf(p)).to.be.instanceOf(KeyUnwrapError);
};
