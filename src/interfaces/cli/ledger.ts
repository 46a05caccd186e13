import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseVerifierKey } from '../../application/ledger/checkpoint-note.js';
import { LedgerView } from '../../application/ledger/ledger-view.js';
import type { LedgerStore } from '../../application/ledger/ledger-store.js';
import { verifyLedger } from '../../application/ledger/verify-ledger.js';
import { checkSlice, type SliceResult, type VerifySlice } from '../../application/ledger/verify-slices.js';
import { LogProcessor } from '../../application/log/log-processor.js';
import { textPagesOf, type LogRange } from '../../application/log/log-reader.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { loadConfig, type Config } from '../../infrastructure/config/config.js';
import { ledgerVerifierKey, loadLedgerSigningKey } from '../../infrastructure/ledger/signing-key.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { openEventStore } from '../../infrastructure/stores/open-event-store.js';
import { openKeys } from '../../infrastructure/stores/open-keys.js';
import { openLedgerStore } from '../../infrastructure/stores/open-ledger-store.js';
import { CliFailure, defineCli, integerOption, UsageError } from './cli-args.js';
import { checkSlicesInThreads } from './ledger-verify-pool.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'ledger',
  synopsis: ['npm run ledger -- verify [--checkpoint FILE]', 'npm run ledger -- prove EVENT-ID', 'npm run ledger -- key'],
  description:
    'The tamper-evident ledger (docs/LEDGER.md). verify: recomputes every leaf from the log and the tree from the leaves, checks every kept checkpoint’s signature and root; ' +
    'exit 0 with a one-line summary, or 1 with one line naming the first event (position and id) that does not match, or the first checkpoint that does not. ' +
    'With --checkpoint FILE, also proves the log consistent with a checkpoint kept elsewhere. prove: prints the inclusion proof of an event (JSON). key: prints the verifier key.',
  options: {
    checkpoint: { type: 'string', value: 'FILE', help: 'verify: a signed checkpoint kept elsewhere, which the log must extend' },
    threads: { type: 'string', value: 'N', help: 'verify: threads hashing the log at once (default: one per core)' },
    'slice-size': { type: 'string', value: 'N', help: 'verify: events per task handed to a thread, a power of two (default 65536)' },
  },
  positionals: { min: 1, max: 2, names: 'verify, prove EVENT-ID or key' },
});

const DEFAULT_SLICE = 65_536;

const verifierKeyOf = (config: Config): string =>
  ledgerVerifierKey(config.ledger.origin, loadLedgerSigningKey({ keyFile: config.ledger.signingKeyFile, dataDir: config.dataDir, generate: false }));

/** Slices on worker threads, or here when there is one (a small log: no thread is worth starting). */
const sliceResults = (slices: readonly VerifySlice[], threads: number, events: EventStore, ledger: LedgerStore): AsyncIterable<SliceResult> => {
  if (slices.length > 1 && threads > 0) return checkSlicesInThreads(slices, threads);
  // The log as stored, nothing decoded: verify needs no data keys.
  const log = { textPages: (range: LogRange) => textPagesOf(events, range) };
  return (async function* () {
    for (const slice of slices) yield await checkSlice(log, ledger, slice);
  })();
};

const verify = async (config: Config, o: { checkpointFile: string | undefined; threads: number; sliceSize: number }): Promise<number> => {
  const started = { wall: performance.now(), cpu: process.cpuUsage() };
  const external = o.checkpointFile === undefined ? undefined : { note: await readFile(o.checkpointFile, 'utf8'), name: `checkpoint ${o.checkpointFile}` };
  const verifier = parseVerifierKey(verifierKeyOf(config));
  if (!verifier.ok) throw new CliFailure(`the signing key gives no verifier key: ${verifier.reason}`);
  // The ledger hashes what is stored: a log not migrated yet (personal data in clear) is verified as it is.
  const [events, ledger] = await Promise.all([openEventStore(config, undefined, { allowUnsealed: true }), openLedgerStore(config)]);
  try {
    let threads = 0;
    const report = await verifyLedger({
      store: ledger,
      verifier: verifier.value,
      origin: config.ledger.origin,
      ...(external === undefined ? {} : { external }),
      span: o.sliceSize,
      run: (slices) => {
        threads = slices.length > 1 ? Math.min(o.threads, slices.length) : 0;
        return sliceResults(slices, threads, events, ledger);
      },
    });
    process.stdout.write(`${report.line}\n`);
    const seconds = (performance.now() - started.wall) / 1000;
    const used = process.cpuUsage(started.cpu);
    const cpu = (used.user + used.system) / 1e6;
    process.stderr.write(
      `ledger verify: ${report.events} events in ${seconds.toFixed(2)} s (${Math.round(report.events / Math.max(seconds, 0.001))} events/s), ` +
        `${cpu.toFixed(2)} s of CPU (${Math.round(report.events / Math.max(cpu, 0.001))} events per CPU-second), ${threads === 0 ? 'no worker thread' : `${threads} worker threads`}\n`,
    );
    return report.ok ? 0 : 1;
  } finally {
    await Promise.all([events.close(), ledger.close()]);
  }
};

const prove = async (config: Config, eventId: string): Promise<void> => {
  const [events, ledger, keys] = await Promise.all([openEventStore(config), openLedgerStore(config), openKeys(config)]);
  try {
    const view = new LedgerView({
      store: ledger,
      log: new LogProcessor(events, keys.personal, createLogger('silent')),
      verifierKey: verifierKeyOf(config),
      lookups: async () => {
        throw new Error('the operator’s proofs are not filtered by caller');
      },
      sealWaitMs: 0,
    });
    const answer = await view.proofOf(eventId);
    if (!answer.ok)
      throw new CliFailure(answer.reason === 'not_found' ? `no event ${eventId} in the ledger` : `event ${eventId} is not in a signed checkpoint yet`);
    process.stdout.write(`${JSON.stringify(answer.proof)}\n`);
  } finally {
    await Promise.all([events.close(), ledger.close(), keys.close()]);
  }
};

runCli(spec, async ({ values, positionals }) => {
  const [command, argument] = positionals;
  const verifyOnly = values.checkpoint !== undefined || values.threads !== undefined || values['slice-size'] !== undefined;
  if (command !== 'verify' && verifyOnly) throw new UsageError('--checkpoint, --threads and --slice-size go with verify');
  switch (command) {
    case 'verify': {
      if (argument !== undefined) throw new UsageError(`unexpected argument ${argument}`);
      const threads = integerOption('threads', values.threads, Math.min(8, availableParallelism()));
      const sliceSize = integerOption('slice-size', values['slice-size'], DEFAULT_SLICE, { min: 1 });
      if (2 ** Math.round(Math.log2(sliceSize)) !== sliceSize) throw new UsageError(`--slice-size must be a power of two, got ${sliceSize}`);
      return verify(loadConfig(), { checkpointFile: values.checkpoint, threads, sliceSize });
    }
    case 'prove':
      if (argument === undefined) throw new UsageError('missing EVENT-ID');
      return prove(loadConfig(), argument);
    case 'key':
      if (argument !== undefined) throw new UsageError(`unexpected argument ${argument}`);
      process.stdout.write(`${verifierKeyOf(loadConfig())}\n`);
      return 0;
    default:
      throw new UsageError(`expected verify, prove or key, got ${command ?? 'nothing'}`);
  }
});
