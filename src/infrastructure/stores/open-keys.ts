import { KeyRing } from '../../application/erasure/key-ring.js';
import type { KeyStore } from '../../application/erasure/key-store.js';
import { PersonalData } from '../../application/erasure/personal-data.js';
import { UsernameIndex } from '../../application/erasure/username-index.js';
import type { Config } from '../config/config.js';
import { loadMasterKeys } from '../keys/master-key.js';
import { SqliteKeyStore } from '../keys/sqlite-key-store.js';

/** What personal data needs in a process: the users' keys, the key ring opening and sealing with them, the username index. */
export interface Keys {
  readonly store: KeyStore;
  readonly personal: PersonalData;
  readonly usernames: UsernameIndex;
  close(): Promise<void>;
}

/**
 * The key store (MongoDB's `data_keys` when `MONGODB_URL` is set, so that nodes on several
 * machines share it; else `DATA_DIR/keys.db`), its keys wrapped under `DATA_KEY` or the key
 * generated under `DATA_DIR`.
 */
export const openKeys = async (config: Config): Promise<Keys> => {
  const master = loadMasterKeys(config.dataKey, config.dataDir);
  const store =
    config.mongoUrl === undefined
      ? SqliteKeyStore.open({ directory: config.dataDir, wrappingKey: master.wrappingKey })
      : await openMongoKeys(config.mongoUrl, master.wrappingKey);
  const usernames = new UsernameIndex(master.usernameIndexKey);
  const personal = new PersonalData(new KeyRing(store), (userId) => usernames.aliasOf(userId));
  personal.onForget(() => usernames.forgetAll());
  return { store, usernames, personal, close: () => store.close() };
};

const openMongoKeys = async (url: string, wrappingKey: Buffer): Promise<KeyStore> => {
  // Loaded only when used, as the other MongoDB adapters are.
  const [{ MongoClient }, { MongoKeyStore }, { databaseOf }] = await Promise.all([
    import('mongodb'),
    import('../keys/mongo-key-store.js'),
    import('../readmodel/mongo/open-mongo-read-models.js'),
  ]);
  const client = await MongoClient.connect(url);
  try {
    // The URL's own database, which read-model generations never drop (they drop their collections only).
    return await MongoKeyStore.on(client.db(databaseOf(url)), { wrappingKey }, () => client.close());
  } catch (e) {
    await client.close();
    throw e;
  }
};
