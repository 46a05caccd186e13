import type { Logger } from 'pino';
import { LedgerView } from '../application/ledger/ledger-view.js';
import { LedgerWriter } from '../application/ledger/ledger-writer.js';
import type { LedgerStore } from '../application/ledger/ledger-store.js';
import type { LogProcessor } from '../application/log/log-processor.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { Lookups } from '../application/ports/read-model.js';
import type { ReactorCheckpoints } from '../application/ports/reactor-checkpoints.js';
import type { Config } from '../infrastructure/config/config.js';
import { ledgerNoteSigner, ledgerVerifierKey, loadLedgerSigningKey } from '../infrastructure/ledger/signing-key.js';
import { openLedgerStore } from '../infrastructure/stores/open-ledger-store.js';

export interface LedgerService {
  /** Appends and seals, on the node holding the ledger's lease. */
  readonly writer: LedgerWriter;
  /** What the routes answer, on every node. */
  readonly view: LedgerView;
  readonly store: LedgerStore;
  /** Stops the writer (after sealing what was stored before it), then closes the store. */
  stop(drainMs: number): Promise<void>;
}

export interface LedgerServiceDeps {
  readonly log: LogProcessor;
  readonly events: EventStore;
  readonly leases: ReactorCheckpoints;
  readonly lookups: () => Promise<Pick<Lookups, 'chat' | 'hasNotification'>>;
  readonly logger: Logger;
}

/** The ledger of this node: its store, its signing key (LEDGER_SIGNING_KEY, or generated under DATA_DIR), the writer started. */
export const startLedger = async (config: Config, deps: LedgerServiceDeps): Promise<LedgerService> => {
  const key = loadLedgerSigningKey({ keyFile: config.ledger.signingKeyFile, dataDir: config.dataDir });
  if (key.created) deps.logger.info({ path: key.path }, 'ledger: generated a checkpoint signing key');
  const store = await openLedgerStore(config);
  const writer = new LedgerWriter({
    store,
    log: deps.log,
    events: deps.events,
    leases: deps.leases,
    signer: ledgerNoteSigner(config.ledger.origin, key),
    origin: config.ledger.origin,
    sealIntervalMs: config.ledger.sealIntervalMs,
    owner: config.nodeId,
    leaseMs: config.presence.leaseTtlMs,
    logger: deps.logger,
  });
  const view = new LedgerView({
    store,
    log: deps.log,
    verifierKey: ledgerVerifierKey(config.ledger.origin, key),
    lookups: deps.lookups,
    sealWaitMs: 2 * config.ledger.sealIntervalMs + 1000,
  });
  writer.start();
  return {
    writer,
    view,
    store,
    stop: async (drainMs) => {
      await writer.stop(drainMs);
      await store.close();
    },
  };
};
