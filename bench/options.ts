/** The options of `npm run bench`: their names, help, defaults (full and quick) and parsing. */
import { defineCli, UsageError, type ParsedArgs } from '../src/interfaces/cli/cli-args.js';

export interface Options {
  readonly quick: boolean;
  readonly writeMd: boolean;
  readonly profile: boolean;
  readonly only: ReadonlySet<string>;
  /** Users (sockets) for (a), (b), (e): pairs share a chat. */
  readonly users: number;
  readonly rate: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly restRate: number;
  readonly restDurationMs: number;
  readonly rampStart: number;
  readonly rampFactor: number;
  readonly rampSteps: number;
  /** Bound on ramp phases, retries included. */
  readonly rampMaxPhases: number;
  readonly rampWarmupMs: number;
  readonly rampDurationMs: number;
  readonly idleConnections: number;
  /** Users behind the idle connections (tabs = connections / users). */
  readonly idleUsers: number;
  /** A second (c) run where every connection is a distinct user (0: skip). */
  readonly idleDistinct: number;
  readonly idleTimeoutMs: number;
  readonly replayEvents: number;
  readonly longLogEvents: number;
  readonly longLogRounds: number;
  readonly longLogWarmupMs: number;
  readonly longLogDurationMs: number;
  readonly longLogRestDurationMs: number;
  readonly longInvitations: number;
  readonly longChatMessages: number;
  readonly stormUsers: readonly number[];
  /** Scope all with per-change frames is N²: above this many users it is not run. */
  readonly stormAllFramesMax: number;
  readonly profileDurationMs: number;
  /** (h) sequential sendMessage calls (at the default limit, at most 30). */
  readonly sdkSequential: number;
  /** (h) seconds of calls at the rate after the burst, on one connection. */
  readonly sdkSeconds: number;
  /** (h) at most this many calls at once; a quick run's bound keeps it short. */
  readonly sdkMaxCalls: number;
}

/**
 * Each number option: its help, its default on a full run and on a quick one. The quick run is a
 * smoke run of every scenario that must stay under 2 minutes on a fresh clone (nothing cached in
 * .bench/): its (f3) long log is the (d) log, generated once for both.
 */
const NUMBER_OPTIONS = {
  users: ['sockets for (a), (b), (e); pairs share a chat', 1000, 200],
  rate: ['messages/s for (a)', 1000, 1000],
  warmup: ['seconds of warm-up before (a)', 5, 0.5],
  duration: ['seconds of (a)', 30, 2],
  'rest-rate': ['REST reads/s for (e)', 200, 200],
  'rest-duration': ['seconds of (e)', 20, 1],
  'ramp-start': ['first rate of the (b) ramp', 1000, 1000],
  'ramp-factor': ['rate factor between ramp steps', 1.5, 2],
  'ramp-steps': ['ramp steps', 12, 3],
  'ramp-max-phases': ['bound on ramp phases, retries included', 16, 3],
  'ramp-warmup': ['seconds of warm-up per ramp step', 2, 0.5],
  'ramp-duration': ['seconds per ramp step', 8, 1.5],
  idle: ['idle connections for (c)', 10_000, 500],
  'idle-users': ['users behind the idle connections', 1000, 125],
  'idle-distinct': ['a second (c) run with this many distinct users, 0 skips', 2000, 0],
  'idle-timeout': ['seconds allowed for (c) to connect', 300, 60],
  'replay-events': ['events in the (d) log', 1_000_000, 50_000],
  'long-log-events': ['events in the (f3) long log, against an empty one', 10_000_000, 50_000],
  'long-log-rounds': ['alternating rounds (f3) splits its message and REST phases into, per variant', 12, 2],
  'long-log-warmup': ['seconds of unmeasured load on each (f3) service before its rounds (each round warms up for 2 s, or this if shorter)', 30, 0.5],
  'long-log-duration': ['seconds of (f3) message load per variant, over its rounds', 120, 2],
  'long-log-rest-duration': ['seconds of (f3) REST load per variant, over its rounds', 60, 1],
  'long-invitations': ['historic invitations before (f2)', 1_000_000, 10_000],
  'long-chat-messages': ['stored messages in the (f1) chat', 1_000_000, 20_000],
  'storm-all-frames-max': ['most users of the (g) storm run with scope all and per-change frames, N² frames', 5000, 100],
  'profile-duration': ['seconds of the --profile run', 15, 15],
  'sdk-sequential': ['sequential sendMessage calls of (h), SDK and raw socket each (at most 30 at the default limit)', 200, 20],
  'sdk-seconds': ['seconds of (h) calls at the rate after the burst, on one connection', 5, 0.5],
  'sdk-max-calls': ['most (h) calls fired at once on one connection', 100_000, 400],
} as const satisfies Readonly<Record<string, readonly [help: string, full: number, quick: number]>>;

type NumberOption = keyof typeof NUMBER_OPTIONS;

const STORM_USERS = { full: '1000,5000,10000', quick: '100' } as const;

const defaults = (full: number | string, quick: number | string): string => (full === quick ? `(${full})` : `(${full}; quick ${quick})`);

/** (f) long histories; (g) the reconnect storm; (h) the SDK as a client process. */
const SCENARIOS: readonly string[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

const numberOptions = Object.fromEntries(
  Object.entries(NUMBER_OPTIONS).map(([name, [help, full, quick]]) => [name, { type: 'string', value: 'N', help: `${help} ${defaults(full, quick)}` }]),
) as {
  readonly [K in NumberOption]: { readonly type: 'string'; readonly value: 'N'; readonly help: string };
};

export const spec = defineCli({
  name: 'bench',
  synopsis: ['npm run bench [-- --quick] [--write-md] [--profile | --no-profile] [--only a,b,c,d,e,f,g,h] [--NAME N ...]'],
  description:
    'Load benchmarks (see BENCHMARKS.md): (a) latency at a fixed rate, (b) maximum sustained throughput, (c) RSS per idle connection, ' +
    '(d) read-model rebuild speed, (e) REST latency under load, against a bare ws relay; (f) long histories, (g) the reconnect storm, (h) the SDK against a raw socket and at the flood limits. ' +
    'The full run takes about 30 minutes on 2 cores (more the first time, while its long logs are generated).',
  options: {
    quick: { type: 'boolean', help: 'smaller sizes, shorter phases, no profile (< 2 minutes)' },
    'write-md': { type: 'boolean', help: 'update the results section of BENCHMARKS.md' },
    profile: { type: 'boolean', help: 'add a run of the service with its main thread profiled over the phase (default on a full run)' },
    'no-profile': { type: 'boolean', help: 'skip the profile run of a full run' },
    only: { type: 'string', value: 'LIST', help: 'these scenarios only, e.g. a,e (default a,b,c,d,e,f,g,h)' },
    'storm-users': { type: 'string', value: 'LIST', help: `user counts of the (g) reconnect storm ${defaults(STORM_USERS.full, STORM_USERS.quick)}` },
    ...numberOptions,
  },
});

export const parseOptions = ({ values }: ParsedArgs<typeof spec.options>): Options => {
  const quick = values.quick === true;
  const num = (name: NumberOption): number => {
    const v = values[name];
    if (v === undefined) return NUMBER_OPTIONS[name][quick ? 2 : 1];
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} expects a non-negative number, got ${v}`);
    return n;
  };
  const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()));
  const unknown = [...only].filter((s) => !SCENARIOS.includes(s));
  if (unknown.length > 0) throw new UsageError(`--only takes scenarios among ${SCENARIOS.join(',')}, got ${unknown.join(',')}`);
  return {
    quick,
    writeMd: values['write-md'] === true,
    profile: values.profile === true || (!quick && values['no-profile'] !== true),
    only,
    users: num('users'),
    rate: num('rate'),
    warmupMs: num('warmup') * 1000,
    durationMs: num('duration') * 1000,
    restRate: num('rest-rate'),
    restDurationMs: num('rest-duration') * 1000,
    rampStart: num('ramp-start'),
    rampFactor: num('ramp-factor'),
    rampSteps: num('ramp-steps'),
    rampMaxPhases: num('ramp-max-phases'),
    rampWarmupMs: num('ramp-warmup') * 1000,
    rampDurationMs: num('ramp-duration') * 1000,
    idleConnections: num('idle'),
    idleUsers: num('idle-users'),
    idleDistinct: num('idle-distinct'),
    idleTimeoutMs: num('idle-timeout') * 1000,
    replayEvents: num('replay-events'),
    longLogEvents: num('long-log-events'),
    longLogRounds: num('long-log-rounds'),
    longLogWarmupMs: num('long-log-warmup') * 1000,
    longLogDurationMs: num('long-log-duration') * 1000,
    longLogRestDurationMs: num('long-log-rest-duration') * 1000,
    longInvitations: num('long-invitations'),
    longChatMessages: num('long-chat-messages'),
    stormUsers: (values['storm-users'] ?? STORM_USERS[quick ? 'quick' : 'full']).split(',').map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 2) throw new UsageError(`--storm-users expects user counts ≥ 2, got ${v}`);
      return n;
    }),
    stormAllFramesMax: num('storm-all-frames-max'),
    profileDurationMs: num('profile-duration') * 1000,
    sdkSequential: num('sdk-sequential'),
    sdkSeconds: num('sdk-seconds'),
    sdkMaxCalls: num('sdk-max-calls'),
  };
};
