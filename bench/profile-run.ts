/** `--profile`: the service's main thread profiled at a given message rate, and its summary in markdown. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { profileDuring } from './inspector.js';
import { Load, type MeasuredPhase } from './load-driver.js';
import type { Options } from './options.js';
import { BENCH_DIR, ROOT } from './processes.js';
import { describePhase, log } from './progress.js';
import { startService } from './servers.js';

export interface ProfileResult {
  readonly file: string;
  readonly rate: number;
  readonly seconds: number;
  readonly phase: MeasuredPhase;
  readonly summary: ProfileSummary;
}

/**
 * Profiles the service's main thread at `rate` messages/s, over the measured phase only (through
 * the inspector): the set-up of users, chats and sockets stays out of it.
 */
export const profileScenario = async (o: Options, rate: number, stamp: string): Promise<ProfileResult> => {
  const dir = join(BENCH_DIR, `profile-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const server = await startService('profile', { inspect: true });
  const inspector = server.inspector;
  let load: Load | undefined;
  let phase: MeasuredPhase;
  const path = join(dir, 'service-phase.cpuprofile');
  try {
    if (inspector === undefined) throw new Error('the service has no inspector to profile it through');
    load = await Load.start('profile');
    await load.init(server.target, 'service');
    await load.setup(o.users);
    await load.connect(0, o.users, 100, 120_000);
    const started = load;
    const profiled = await profileDuring(inspector, () => started.phase({ rate, warmupMs: 1000, durationMs: o.profileDurationMs, graceMs: 3000 }, server.pid));
    phase = profiled.result;
    writeFileSync(path, JSON.stringify(profiled.profile));
    log(`profile run at ${rate}/s: ${describePhase(phase)}`);
  } finally {
    await load?.close();
    const clean = await server.stop();
    if (!clean) log('the profiled service did not exit cleanly');
  }
  return { file: path.slice(ROOT.length), rate, seconds: o.profileDurationMs / 1000, phase, summary: summariseProfile(path) };
};

export const profileMarkdown = (p: ProfileResult): string => {
  const list = (entries: ProfileSummary['topSelf'], n: number): string =>
    entries
      .slice(0, n)
      .map((e) => `| ${e.percent}% | \`${e.name.replace(/\|/g, '\\|')}\` |`)
      .join('\n');
  return [
    `Service's main thread profiled (inspector, 1 ms samples, the phase only) at ${p.rate} msgs/s for ${p.seconds} s (${describePhase(p.phase)}); busy ${p.summary.busyPercent}% of the samples. Profile: \`${p.file}\`.`,
    '',
    '| share of busy time | area (self time) |',
    '|---:|---|',
    list(p.summary.byArea, 12),
    '',
    '| share of busy time | function (self time) |',
    '|---:|---|',
    list(p.summary.topSelf, 15),
    '',
    '| share of busy time | our function (inclusive) |',
    '|---:|---|',
    list(p.summary.topInclusiveOurs, 15),
    '',
  ].join('\n');
};
