/** (f3): the same load on an empty log and on a long one, in the same run, measured in alternating rounds. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropPageCache } from '../src/infrastructure/shared/page-cache.js';
import { LongLogRig, type LongLogVariant } from './long-log-rig.js';
import type { Options } from './options.js';
import { removeTempDir, runJsonScript, tempDir } from './processes.js';
import { startService } from './servers.js';
import { round } from './stats.js';
import { comparedRow, fmt, ratio, type Goal, type Row } from './table.js';
import { KEY_FILES } from './bench-keys.js';
import { cachedDataDir } from './cached-log.js';

export interface LongLogResult {
  readonly empty: LongLogVariant;
  readonly long: LongLogVariant;
  /** First time only: generating the log, then the service catching its read models up on it. */
  readonly preparedSeconds?: number;
}

/**
 * A data directory whose log holds `events` generated events and whose read models are caught up
 * on them, made once and cached in .bench/ (generating 10 M events and projecting them takes minutes).
 */
const longLogDataset = async (events: number): Promise<{ dir: string; preparedSeconds?: number }> => {
  const dir = cachedDataDir('long-log', events);
  if (existsSync(join(dir, 'PREPARED'))) return { dir };
  const t0 = performance.now();
  const { logPath, keysDir } = await runJsonScript<{ logPath: string; keysDir: string }>('replay-bench.js', [String(events), '--generate-only'], 60 * 60_000);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('cp', ['--reflink=auto', logPath, join(tmp, 'events.db')]);
  // The keys its personal data is sealed with, where the service looks for them (DATA_KEY unset).
  for (const file of KEY_FILES) execFileSync('cp', [join(keysDir, file), join(tmp, file)]);
  const server = await startService('long-log-prepare', { dataDir: tmp, readyTimeoutMs: 60 * 60_000 });
  if (!(await server.stop())) throw new Error('the service did not stop cleanly after catching up on the long log');
  writeFileSync(join(tmp, 'PREPARED'), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, preparedSeconds: round((performance.now() - t0) / 1000, 1) };
};

/**
 * Drops a directory's files from the page cache. `cp` leaves a copy cached in large folios, which
 * make each page a checkpoint writes cost a whole folio (page-cache.ts). A service that wrote its
 * own files never sees that state, so the copy must not start in it.
 */
const dropFileCache = async (dir: string): Promise<void> => {
  for (const f of readdirSync(dir)) {
    if (!(await dropPageCache(join(dir, f)))) throw new Error(`could not drop ${f} from the page cache`);
  }
};

/** Sequential appends probed on each log once its service stopped; fewer on a quick run, whose budget they would take. */
const APPENDS = 5000;
const QUICK_APPENDS = 1000;

/**
 * (f3): the same message and REST load on an empty log and on a long one, both services up at
 * once and measured in alternating short rounds (ABBA order), each variant's rounds pooled. The
 * machine's own noise (its two cores are shared with the load generators) moves a phase's tail
 * by 2× from minute to minute; measured in turns, both variants meet the same minutes.
 */
export const longLogScenario = async (o: Options): Promise<LongLogResult> => {
  const dataset = await longLogDataset(o.longLogEvents);
  const appends = o.quick ? QUICK_APPENDS : APPENDS;
  // A copy per run: the run appends, and the cached dataset must stay as generated.
  const work = tempDir('bench-long-log-');
  const emptyDir = tempDir('bench-empty-log-');
  const rigs: LongLogRig[] = [];
  try {
    execFileSync('cp', ['-r', '--reflink=auto', `${dataset.dir}/.`, work]);
    // Without reflinks the copy leaves gigabytes of dirty pages: flushed during the load, they
    // would stall the service's fsyncs (ext4 commits them with its journal), a cost of the copy.
    execFileSync('sync');
    await dropFileCache(work);
    const empty = await LongLogRig.start('long-log-empty', o, emptyDir);
    rigs.push(empty);
    const long = await LongLogRig.start('long-log', o, work);
    rigs.push(long);
    const rounds = Math.max(1, o.longLogRounds);
    // Each round resumes the load after the other variant's turn: 2 s to settle, never more than the run's own warm-up.
    const roundWarmupMs = Math.min(2000, o.longLogWarmupMs);
    const turns = (r: number): readonly LongLogRig[] => (r % 2 === 0 ? [empty, long] : [long, empty]);
    // Each service first meets the load unmeasured, as a running service would have: the long
    // log's copy starts uncached, and its first minute would measure the disk, not the log.
    for (const rig of rigs) await rig.messagePhase(o, o.longLogWarmupMs, 1000);
    for (const rig of rigs) rig.forgetPhases();
    for (let r = 0; r < rounds; r++) {
      for (const rig of turns(r)) await rig.messagePhase(o, roundWarmupMs, o.longLogDurationMs / rounds);
    }
    for (const rig of rigs) await rig.keepMetrics();
    for (let r = 0; r < rounds; r++) {
      for (const rig of turns(r)) await rig.restPhase(o, r === 0 ? roundWarmupMs : 500, o.longLogRestDurationMs / rounds);
    }
    for (const rig of rigs.splice(0)) await rig.stop();
    return {
      empty: await empty.result(0, appends),
      long: await long.result(o.longLogEvents, appends),
      ...(dataset.preparedSeconds === undefined ? {} : { preparedSeconds: dataset.preparedSeconds }),
    };
  } finally {
    for (const rig of rigs) await rig.stop().catch(() => undefined);
    removeTempDir(work);
    removeTempDir(emptyDir);
  }
};

export const longLogRows = (o: Options, r: LongLogResult | undefined): Row[] => {
  if (r === undefined) return [];
  const { empty, long } = r;
  const sc = `(f3) ${long.events.toLocaleString('en-US')}-event log (chat-events column) vs an empty log (baseline column)`;
  const io = (v: LongLogVariant): string => (v.io === undefined ? '–' : `${fmt(v.io.writeBytes / 1e9)} / ${fmt(v.io.readBytes / 1e9)}`);
  const each = (xs: readonly number[]): string => xs.map((x) => fmt(x, 1)).join(' · ');
  return [
    [
      sc,
      `append p50 / p99 (ms), ${long.append.appends.toLocaleString('en-US')} sequential`,
      `${fmt(long.append.p50Ms)} / ${fmt(long.append.p99Ms)}`,
      `${fmt(empty.append.p50Ms)} / ${fmt(empty.append.p99Ms)}`,
      ratio(long.append.p99Ms, empty.append.p99Ms),
    ],
    ...(['p50', 'p99'] as const).map((k) =>
      comparedRow(sc, `new_message latency ${k} at ${o.rate} msgs/s (ms)`, long.latency.latencyMs[k], empty.latency.latencyMs[k]),
    ),
    ...(['p50', 'p99'] as const).map((k) =>
      comparedRow(sc, `REST GET messages ${k} under load (ms)`, long.rest.rest?.latencyMs[k], empty.rest.rest?.latencyMs[k]),
    ),
    comparedRow(sc, 'server CPU during (a) (%)', long.latency.server.cpuPercent, empty.latency.server.cpuPercent, 1),
    [sc, 'service start to /readyz (s)', fmt(long.readyAfterStartSeconds, 1), fmt(empty.readyAfterStartSeconds, 1), ''],
    [sc, 'service I/O over its life: written to / read from disk (GB)', io(long), io(empty), ratio(long.io?.writeBytes, empty.io?.writeBytes)],
    [sc, 'new_message p99 of each round, in turn (ms)', each(long.rounds.newMessageP99Ms), each(empty.rounds.newMessageP99Ms), ''],
    [sc, 'REST p99 of each round, in turn (ms)', each(long.rounds.restP99Ms), each(empty.rounds.restP99Ms), ''],
  ];
};

export const longLogGoal = (r: LongLogResult | undefined): Goal | undefined => {
  if (r === undefined) return undefined;
  const { empty, long } = r;
  const pairs = [
    ['append', long.append.p99Ms, empty.append.p99Ms],
    ['new_message', long.latency.latencyMs.p99, empty.latency.latencyMs.p99],
    ['REST', long.rest.rest?.latencyMs.p99 ?? Number.NaN, empty.rest.rest?.latencyMs.p99 ?? Number.NaN],
  ] as const;
  return {
    id: 'f3',
    goal: `p99s on a ${long.events.toLocaleString('en-US')}-event log within 1.5× of the empty log's (same run)`,
    measured: pairs.map(([what, l, e]) => `${what} ${fmt(l)} vs ${fmt(e)} ms (${ratio(l, e)})`).join('; '),
    met: pairs.every(([, l, e]) => l <= 1.5 * e),
  };
};
