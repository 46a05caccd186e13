import type { LedgerStore } from '../../application/ledger/ledger-store.js';
import type { Config } from '../config/config.js';
import { SqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';

/**
 * The ledger's own store: MongoDB (collections `ledger_*` of the URL's database, beside the
 * scheduler's) when `MONGODB_URL` is set, else `DATA_DIR/ledger.db`.
 */
export const openLedgerStore = async (config: Config): Promise<LedgerStore> => {
  if (config.mongoUrl !== undefined) {
    const [{ MongoClient }, { MongoLedgerStore }] = await Promise.all([import('mongodb'), import('../ledger/mongo-ledger-store.js')]);
    const client = await MongoClient.connect(config.mongoUrl);
    try {
      return await MongoLedgerStore.on(client.db(), () => client.close());
    } catch (e) {
      await client.close();
      throw e;
    }
  }
  return SqliteLedgerStore.open({ directory: config.dataDir });
};
