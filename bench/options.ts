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
}

const NUMBER_OPTIONS = {
  users: 'sockets for (a), (b), (e); pairs share a chat (1000; quick 500)',
  rate: 'messages/s for (a) (1000)',
  warmup: 'seconds of warm-up before (a) (5; quick 2)',
  duration: 'seconds of (a) (30; quick 5)',
  'rest-rate': 'REST reads/s for (e) (200)',
  'rest-duration': 'seconds of (e) (20; quick 4)',
  'ramp-start': 'first rate of the (b) ramp (1000)',
  'ramp-factor': 'rate factor between ramp steps (1.5; quick 2)',
  'ramp-steps': 'ramp steps (12; quick 4)',
  'ramp-max-phases': 'bound on ramp phases, retries included (16; quick 5)',
  'ramp-warmup': 'seconds of warm-up per ramp step (2; quick 1)',
  'ramp-duration': 'seconds per ramp step (8; quick 3)',
  idle: 'idle connections for (c) (10000; quick 2000)',
  'idle-users': 'users behind the idle connections (1000; quick 500)',
  'idle-distinct': 'a second (c) run with this many distinct users, 0 skips (2000; quick 0)',
  'idle-timeout': 'seconds allowed for (c) to connect (300; quick 60)',
  'replay-events': 'events in the (d) log (1000000; quick 100000)',
  'long-log-events': 'events in the (f3) long log, against an empty one (10000000; quick 1000000)',
  'long-log-rounds': 'alternating rounds (f3) splits its message and REST phases into, per variant (12)',
  'long-log-warmup': 'seconds of unmeasured load on each (f3) service before its rounds (30; quick 5)',
  'long-log-duration': 'seconds of (f3) message load per variant, over its rounds (120; quick 10)',
  'long-log-rest-duration': 'seconds of (f3) REST load per variant, over its rounds (60; quick 5)',
  'long-invitations': 'historic invitations before (f2) (1000000; quick 100000)',
  'long-chat-messages': 'stored messages in the (f1) chat (1000000; quick 100000)',
  'storm-all-frames-max': 'most users of the (g) storm run with scope all and per-change frames, N² frames (5000; quick 2000)',
  'profile-duration': 'seconds of the --profile run (15)',
} as const;

/** (f) long histories; (g) the reconnect storm. */
const SCENARIOS: readonly string[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

const numberOptions = Object.fromEntries(Object.entries(NUMBER_OPTIONS).map(([name, help]) => [name, { type: 'string', value: 'N', help }])) as {
  readonly [K in keyof typeof NUMBER_OPTIONS]: { readonly type: 'string'; readonly value: 'N'; readonly help: string };
};

export const spec = defineCli({
  name: 'bench',
  synopsis: ['npm run bench [-- --quick] [--write-md] [--profile | --no-profile] [--only a,b,c,d,e] [--NAME N ...]'],
  description:
    'Load benchmarks (see BENCHMARKS.md): (a) latency at a fixed rate, (b) maximum sustained throughput, (c) RSS per idle connection, ' +
    '(d) read-model rebuild speed, (e) REST latency under load; against a bare ws relay. The full run takes about 6 minutes.',
  options: {
    quick: { type: 'boolean', help: 'smaller sizes, shorter phases, no profile (< 2 minutes)' },
    'write-md': { type: 'boolean', help: 'update the results section of BENCHMARKS.md' },
    profile: { type: 'boolean', help: 'add a --cpu-prof run of the service (default on a full run)' },
    'no-profile': { type: 'boolean', help: 'skip the profile run of a full run' },
    only: { type: 'string', value: 'LIST', help: 'these scenarios only, e.g. a,e (default a,b,c,d,e,f,g)' },
    'storm-users': { type: 'string', value: 'LIST', help: 'user counts of the (g) reconnect storm (1000,5000,10000; quick 1000,2000)' },
    ...numberOptions,
  },
});

export const parseOptions = ({ values }: ParsedArgs<typeof spec.options>): Options => {
  const num = (name: keyof typeof NUMBER_OPTIONS, dflt: number): number => {
    const v = values[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} expects a non-negative number, got ${v}`);
    return n;
  };
  const quick = values.quick === true;
  const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()));
  const unknown = [...only].filter((s) => !SCENARIOS.includes(s));
  if (unknown.length > 0) throw new UsageError(`--only takes scenarios among ${SCENARIOS.join(',')}, got ${unknown.join(',')}`);
  return {
    quick,
    writeMd: values['write-md'] === true,
    profile: values.profile === true || (!quick && values['no-profile'] !== true),
    only,
    users: num('users', quick ? 500 : 1000),
    rate: num('rate', 1000),
    warmupMs: num('warmup', quick ? 2 : 5) * 1000,
    durationMs: num('duration', quick ? 5 : 30) * 1000,
    restRate: num('rest-rate', 200),
    restDurationMs: num('rest-duration', quick ? 4 : 20) * 1000,
    rampStart: num('ramp-start', 1000),
    rampFactor: num('ramp-factor', quick ? 2 : 1.5),
    rampSteps: num('ramp-steps', quick ? 4 : 12),
    rampMaxPhases: num('ramp-max-phases', quick ? 5 : 16),
    rampWarmupMs: num('ramp-warmup', quick ? 1 : 2) * 1000,
    rampDurationMs: num('ramp-duration', quick ? 3 : 8) * 1000,
    idleConnections: num('idle', quick ? 2000 : 10_000),
    idleUsers: num('idle-users', quick ? 500 : 1000),
    idleDistinct: num('idle-distinct', quick ? 0 : 2000),
    idleTimeoutMs: num('idle-timeout', quick ? 60 : 300) * 1000,
    replayEvents: num('replay-events', quick ? 100_000 : 1_000_000),
    longLogEvents: num('long-log-events', quick ? 1_000_000 : 10_000_000),
    longLogRounds: num('long-log-rounds', 12),
    longLogWarmupMs: num('long-log-warmup', quick ? 5 : 30) * 1000,
    longLogDurationMs: num('long-log-duration', quick ? 10 : 120) * 1000,
    longLogRestDurationMs: num('long-log-rest-duration', quick ? 5 : 60) * 1000,
    longInvitations: num('long-invitations', quick ? 100_000 : 1_000_000),
    longChatMessages: num('long-chat-messages', quick ? 100_000 : 1_000_000),
    stormUsers: (values['storm-users'] ?? (quick ? '1000,2000' : '1000,5000,10000')).split(',').map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 2) throw new UsageError(`--storm-users expects user counts ≥ 2, got ${v}`);
      return n;
    }),
    stormAllFramesMax: num('storm-all-frames-max', quick ? 2000 : 5000),
    profileDurationMs: num('profile-duration', 15) * 1000,
  };
};
