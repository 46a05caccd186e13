import { randomBytes } from 'node:crypto';
import { KeyRing } from '../../src/application/erasure/key-ring.js';
import type { DataKey, KeyStore } from '../../src/application/erasure/key-store.js';
import { PersonalData } from '../../src/application/erasure/personal-data.js';
import { UsernameIndex } from '../../src/application/erasure/username-index.js';

/** A KeyStore in this process's memory (tests and benchmarks that need no file): one live key per user, destroyed keys gone. */
export class MemoryKeyStore implements KeyStore {
  private readonly byId = new Map<string, DataKey>();

  async currentKeys(userIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    const found = new Map<string, DataKey>();
    for (const userId of new Set(userIds)) {
      let key = [...this.byId.values()].find((k) => k.userId === userId);
      if (key === undefined) {
        key = { keyId: randomBytes(16).toString('base64url'), userId, key: randomBytes(32) };
        this.byId.set(key.keyId, key);
      }
      found.set(userId, key);
    }
    return found;
  }

  async keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    return new Map(keyIds.flatMap((id) => (this.byId.has(id) ? [[id, this.byId.get(id) as DataKey] as const] : [])));
  }

  async keyIdsOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return new Map([...this.byId.values()].filter((k) => userIds.includes(k.userId)).map((k) => [k.userId, k.keyId]));
  }

  async destroyKeysOf(userIds: readonly string[]): Promise<number> {
    return this.destroyKeys([...this.byId.values()].filter((k) => userIds.includes(k.userId)).map((k) => k.keyId));
  }

  async destroyKeys(keyIds: readonly string[]): Promise<number> {
    let destroyed = 0;
    for (const id of new Set(keyIds)) if (this.byId.delete(id)) destroyed += 1;
    return destroyed;
  }

  async usersWithKeys(): Promise<readonly string[]> {
    return [...new Set([...this.byId.values()].map((k) => k.userId))].sort();
  }

  async close(): Promise<void> {}

  /** A key as it was (a backup restored). */
  restore(key: DataKey): void {
    for (const [id, k] of this.byId) if (k.userId === key.userId) this.byId.delete(id);
    this.byId.set(key.keyId, key);
  }

  /** The live keys, as a backup would copy them. */
  copy(): readonly DataKey[] {
    return [...this.byId.values()];
  }
}

export interface TestKeys {
  readonly store: MemoryKeyStore;
  readonly usernames: UsernameIndex;
  readonly personal: PersonalData;
}

/** Keys in memory, a username index under a random key, and the PersonalData over them: what a test's log and aggregates need. */
export const memoryKeys = (store: MemoryKeyStore = new MemoryKeyStore()): TestKeys => {
  const usernames = new UsernameIndex(randomBytes(32));
  return { store, usernames, personal: new PersonalData(new KeyRing(store), (userId) => usernames.aliasOf(userId)) };
};
