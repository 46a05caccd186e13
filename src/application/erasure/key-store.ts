/** A user's data key, unwrapped: what personal data of that user is sealed with (field-cipher.ts). */
export interface DataKey {
  /** Random, never derived from the user id, never reused: it is written in clear beside every value sealed with the key. */
  readonly keyId: string;
  /** The `sub` of the user's token. */
  readonly userId: string;
  /** 32 bytes (AES-256). */
  readonly key: Buffer;
}

/** Bytes of a data key. */
export const DATA_KEY_BYTES = 32;

/**
 * Where users' data keys are kept (wrapped, by the adapter). Crypto-shredding rests on it: a user
 * is erased by destroying their keys, after which whatever was sealed with them stays unreadable
 * in every copy of the log. A user has at most one live key; a destroyed key never comes back
 * (short of a restored backup, which the start-up pass answers with `usersWithKeys`).
 */
export interface KeyStore {
  /**
   * Each user's live key, created when the user has none (a user destroyed before gets a new key
   * with a new id). Safe against other nodes doing the same at once: every caller gets the one key
   * that won.
   */
  currentKeys(userIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>>;
  /** The keys of these ids that exist; a destroyed or unknown id is simply absent from the answer. */
  keysByIds(keyIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>>;
  /** The id of each of these users' live key, creating none (a user without one is absent). */
  keyIdsOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /**
   * Destroys every key of these users, leaving no copy of it in the store's own files where the
   * technology allows (see the adapters). Idempotent; answers how many keys were destroyed.
   */
  destroyKeysOf(userIds: readonly string[]): Promise<number>;
  /** Destroys the keys of these ids, whoever they belong to, as `destroyKeysOf` does. Idempotent; answers how many were destroyed. */
  destroyKeys(keyIds: readonly string[]): Promise<number>;
  /** Every user that has a live key. */
  usersWithKeys(): Promise<readonly string[]>;
  close(): Promise<void>;
}
