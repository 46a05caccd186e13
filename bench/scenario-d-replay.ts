/** (d): read-model rebuild speed on a generated log, by the ProjectionRunner and by `npm run replay`. */
import { copyFileSync, existsSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from './options.js';
import { KEY_FILES } from './bench-keys.js';
import { cachedLog } from './cached-log.js';
import { DIST, removeTempDir, runJsonScript, runNode, tempDir } from './processes.js';
import { log, messageOf } from './progress.js';
import type { ReplayResult } from './replay-bench.js';
import { round } from './stats.js';
import { fmt, type Goal, type Row } from './table.js';

export interface ReplayCliResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Including start-up and opening the stores. */
  readonly wallSeconds: number;
  readonly output: string;
}

const replayScenario = async (events: number): Promise<ReplayResult> => {
  const work = tempDir('bench-replay-work-');
  try {
    return await runJsonScript<ReplayResult>('replay-bench.js', [String(events)], 20 * 60_000, { ...process.env, BENCH_WORK_DIR: work });
  } finally {
    removeTempDir(work);
  }
};

/** `npm run replay` (the product's rebuild into a new generation) on the same cached log, when it exists. */
const replayCliScenario = async (events: number): Promise<ReplayCliResult | undefined> => {
  const cli = join(DIST, 'src/interfaces/cli/replay.js');
  const { logPath: cached, keysDir } = cachedLog(events);
  if (!existsSync(cli) || !existsSync(cached)) return undefined;
  const dataDir = tempDir('bench-replay-cli-');
  try {
    // A hard link: nothing is copied, and the replay only reads the log.
    linkSync(cached, join(dataDir, 'events.db'));
    // Its personal data opens with the keys it was sealed with (copies: the replay may write to its key store).
    for (const file of KEY_FILES) copyFileSync(join(keysDir, file), join(dataDir, file));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    for (const k of ['EVENTSTORE_URL', 'MONGODB_URL', 'NODE_OPTIONS']) delete env[k];
    const t0 = performance.now();
    const { proc, finished, stdout, stderr } = await runNode(cli, ['--keep-old'], 20 * 60_000, env);
    if (!finished) throw new Error('npm run replay did not finish within 20 minutes');
    const wallSeconds = round((performance.now() - t0) / 1000, 2);
    if (proc.exitCode !== 0) throw new Error(`npm run replay failed (${proc.exitCode}): ${stderr.slice(-500)}`);
    const m = /from (\d+) events in ([\d.]+) s: (\d+) events\/s/.exec(stdout);
    if (m === null) throw new Error(`unexpected npm run replay output: ${stdout.slice(0, 300)}`);
    return { events: Number(m[1]), seconds: Number(m[2]), eventsPerSecond: Number(m[3]), wallSeconds, output: stdout.trim() };
  } finally {
    removeTempDir(dataDir);
  }
};

/** Both (d) measurements; a failure of either becomes a note and leaves its result out. */
export const replayScenarios = async (o: Options, notes: string[]): Promise<{ replay?: ReplayResult; replayCli?: ReplayCliResult }> => {
  log(`(d) replay of ${o.replayEvents} events (the log is generated once and cached in .bench/)`);
  const failed = (what: string, err: unknown): undefined => {
    notes.push(`${what} failed: ${messageOf(err)}`);
    log(`${what} failed: ${messageOf(err)}`);
    return undefined;
  };
  const replay = await replayScenario(o.replayEvents).then(
    (r) => {
      log(
        `(d) rebuild ${r.rebuildEventsPerSecond} events/s (${r.rebuildSeconds} s); scan ${r.scanEventsPerSecond}/s, ` +
          `scan+decode ${r.decodeEventsPerSecond}/s${r.generateSeconds === undefined ? '' : `; generated in ${r.generateSeconds} s`}`,
      );
      return r;
    },
    (err: unknown) => failed('(d)', err),
  );
  const replayCli = await replayCliScenario(o.replayEvents).then(
    (r) => {
      if (r !== undefined) log(`(d) npm run replay: ${r.eventsPerSecond} events/s (${r.seconds} s; ${r.wallSeconds} s wall)`);
      return r;
    },
    (err: unknown) => failed('(d) npm run replay', err),
  );
  return { ...(replay === undefined ? {} : { replay }), ...(replayCli === undefined ? {} : { replayCli }) };
};

export const replayRows = (replay: ReplayResult | undefined, replayCli: ReplayCliResult | undefined): Row[] => {
  if (replay === undefined) return [];
  const sc = `(d) replay of ${replay.events.toLocaleString('en-US')} events`;
  return [
    ...(replayCli === undefined ? [] : [[sc, '`npm run replay` (events/s; s)', `${replayCli.eventsPerSecond}; ${replayCli.seconds}`, '', ''] as const]),
    [sc, 'read-model rebuild, ProjectionRunner (events/s)', fmt(replay.rebuildEventsPerSecond, 0), '', ''],
    [sc, 'rebuild time (s)', fmt(replay.rebuildSeconds), '', ''],
    [sc, 'log scan only (events/s)', fmt(replay.scanEventsPerSecond, 0), '', ''],
    [sc, 'scan + decode (events/s)', fmt(replay.decodeEventsPerSecond, 0), '', ''],
  ];
};

export const replayGoal = (replay: ReplayResult | undefined, replayCli: ReplayCliResult | undefined): Goal | undefined => {
  if (replay === undefined && replayCli === undefined) return undefined;
  const rates = [replay?.rebuildEventsPerSecond, replayCli?.eventsPerSecond].filter((x): x is number => x !== undefined);
  return {
    id: 'd',
    goal: '≥ 100,000 events/s replay on the embedded store',
    measured:
      `${replayCli === undefined ? '' : `npm run replay ${replayCli.eventsPerSecond} events/s; `}` +
      `${replay === undefined ? '' : `ProjectionRunner from empty ${replay.rebuildEventsPerSecond} events/s`} (${replay?.events ?? replayCli?.events ?? 0} events)`,
    met: Math.max(...rates) >= 100_000,
  };
};
