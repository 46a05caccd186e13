import { LRUCache } from 'lru-cache';
import { openField, sealField, sealedKeyId, type FieldPlace, type Opened } from './field-cipher.js';
import type { DataKey, KeyStore } from './key-store.js';
import { SealedHere } from './sealed-here.js';

export interface KeyRingOptions {
  /** Bound on the keys kept in memory (each side: by id, and users' current keys). */
  readonly maxKeys?: number;
}

/** A key id the store does not have: destroyed, and key ids never come back. */
const ABSENT = 'absent';

/**
 * The hot path of sealing and opening: keys fetched from the store in one batch per `load…` call,
 * then used synchronously. Call `load`/`loadCurrent` and then `open`/`seal` in the same
 * continuation: a key evicted in between (more than `maxKeys` loaded meanwhile) is a fault.
 *
 * When a user is erased (on this node or another), `forgetUser` must run here once their keys are
 * destroyed in the store: until then this node would still open, and seal new data with, the old key.
 */
export class KeyRing {
  private readonly byId: LRUCache<string, DataKey | typeof ABSENT>;
  private readonly current: LRUCache<string, DataKey>;
  private readonly sealedHere = new SealedHere();
  /** Bumped by `forgetUser`: a fetch that overlapped it may hold a key destroyed since, and is redone. */
  private forgets = 0;

  constructor(
    private readonly store: KeyStore,
    options: KeyRingOptions = {},
  ) {
    const max = options.maxKeys ?? 100_000;
    this.byId = new LRUCache({ max });
    this.current = new LRUCache({ max });
  }

  /** Makes the keys of these ids (sealed values' key ids, see `keyIdsOf`) available to `open`: one store call for those not yet known. */
  async load(keyIds: Iterable<string>): Promise<void> {
    const wanted = [...new Set(keyIds)];
    for (;;) {
      const missing = wanted.filter((id) => !this.byId.has(id));
      if (missing.length === 0) return;
      const forgets = this.forgets;
      const found = await this.store.keysByIds(missing);
      if (this.forgets !== forgets) continue;
      for (const id of missing) this.byId.set(id, found.get(id) ?? ABSENT);
      return;
    }
  }

  /**
   * Makes these users' current keys available to `seal`, creating those that have none. Callers
   * in one turn of the event loop share one store call: creating a key is a durable commit (an
   * fsync), and a burst of new users (a reconnect storm) would otherwise pay one each.
   */
  async loadCurrent(userIds: Iterable<string>): Promise<void> {
    const wanted = [...new Set(userIds)];
    for (;;) {
      const missing = wanted.filter((u) => !this.current.has(u));
      if (missing.length === 0) return;
      const batch = (this.nextBatch ??= this.startBatch());
      for (const u of missing) batch.users.add(u);
      await batch.done;
    }
  }

  private nextBatch: { readonly users: Set<string>; readonly done: Promise<void> } | undefined;

  private startBatch(): { readonly users: Set<string>; readonly done: Promise<void> } {
    const users = new Set<string>();
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.nextBatch = undefined;
      const forgets = this.forgets;
      const found = await this.store.currentKeys([...users]);
      // Keys fetched across a forgetUser may be destroyed ones: the callers ask again.
      if (this.forgets !== forgets) return;
      for (const key of found.values()) {
        this.current.set(key.userId, key);
        this.byId.set(key.keyId, key);
      }
    });
    return { users, done };
  }

  /** Seals a field of the user's with their current key (`loadCurrent` first). */
  seal(userId: string, plaintext: string, place: FieldPlace): string {
    const key = this.current.get(userId);
    if (key === undefined) throw new Error(`KeyRing: no current key of user ${JSON.stringify(userId)} loaded (call loadCurrent first)`);
    const sealed = sealField(key, plaintext, place);
    this.sealedHere.remember(sealed, { userId, plaintext, place });
    return sealed;
  }

  /** Opens a sealed value (`load` its key id first): its text, or Erased when its key is destroyed; throws when it is altered or misplaced. */
  open(sealed: string, place: FieldPlace): Opened {
    const mine = this.sealedHere.take(sealed, place);
    if (mine !== undefined) return { _tag: 'Opened', value: mine };
    return openField(
      (keyId) => {
        const key = this.byId.get(keyId);
        if (key === undefined) throw new Error(`KeyRing: key ${keyId} not loaded (call load first)`);
        return key === ABSENT ? undefined : key;
      },
      sealed,
      place,
    );
  }

  /** Drops every cached key of the user (their keys were destroyed); later loads ask the store again. */
  forgetUser(userId: string): void {
    this.forgets += 1;
    this.current.delete(userId);
    this.sealedHere.forgetUser(userId);
    const ids = [...this.byId.entries()].flatMap(([id, key]) => (key !== ABSENT && key.userId === userId ? [id] : []));
    for (const id of ids) this.byId.delete(id);
  }
}

/** The key ids of those values that are sealed, for `KeyRing.load`. */
export const keyIdsOf = (values: Iterable<string>): Set<string> => {
  const ids = new Set<string>();
  for (const v of values) {
    const id = sealedKeyId(v);
    if (id !== undefined) ids.add(id);
  }
  return ids;
};
