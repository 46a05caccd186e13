import { KeyRing } from '../src/application/erasure/key-ring.js';
import { PersonalData } from '../src/application/erasure/personal-data.js';
import { UsernameIndex } from '../src/application/erasure/username-index.js';
import { DATA_KEY_FILE, loadMasterKeys } from '../src/infrastructure/keys/master-key.js';
import { KEYS_DB_FILE, SqliteKeyStore } from '../src/infrastructure/keys/sqlite-key-store.js';

/** The files beside a generated log that a service needs to read its personal data (copied into its DATA_DIR with the log). */
export const KEY_FILES = [KEYS_DB_FILE, DATA_KEY_FILE] as const;

/** Keys as a service with this DATA_DIR (and no DATA_KEY) would have them: for benchmarks that write a log a service later reads. */
export const benchKeys = (dataDir: string): { readonly personal: PersonalData; readonly usernames: UsernameIndex; close(): Promise<void> } => {
  const master = loadMasterKeys(undefined, dataDir);
  const store = SqliteKeyStore.open({ directory: dataDir, wrappingKey: master.wrappingKey });
  const usernames = new UsernameIndex(master.usernameIndexKey);
  return { personal: new PersonalData(new KeyRing(store), (id) => usernames.aliasOf(id)), usernames, close: () => store.close() };
};
