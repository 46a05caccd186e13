import { parentPort } from 'node:worker_threads';
import { textPagesOf } from '../../application/log/log-reader.js';
import { checkSlice, type VerifySlice } from '../../application/ledger/verify-slices.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openLedgerStore } from '../../infrastructure/stores/open-ledger-store.js';

/**
 * A thread of `ledger verify`: opens its own connections to the log and the ledger (as the
 * configuration says), then checks the slices it is handed, one at a time, until told to stop.
 * Answers `{ ok, result }` or `{ ok: false, message }` for each.
 */
const port = parentPort;
if (port === null) throw new Error('ledger-verify-worker runs as a worker thread');

const config = loadConfig();
// The log as stored, nothing decoded (no data keys), migrated or not, as the main thread opened it.
const opened = Promise.all([openEventStore(config, undefined, { allowUnsealed: true }), openLedgerStore(config)]);

port.on('message', (message: VerifySlice | 'stop') => {
  void (async () => {
    const [events, ledger] = await opened;
    if (message === 'stop') {
      await Promise.all([events.close(), ledger.close()]);
      // Ends this thread only; timers the stores may leave behind must not keep it alive.
      process.exit(0);
    }
    try {
      const result = await checkSlice({ textPages: (range) => textPagesOf(events, range) }, ledger, message);
      port.postMessage({ ok: true, result });
    } catch (e) {
      port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  })();
});
