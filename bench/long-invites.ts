/**
 * Invitations after a long history: the first invitation after a restart and the steady latency,
 * with N finished invitations in the log (no stream every invitation passes through any more, so
 * neither should grow with N).
 *
 * Seeds N historic invitations, spread over many users, straight into the embedded store through
 * its group-committed appends (concurrent appends share transactions): per invitation both users'
 * EngagementReserved and the invitation's own stream (sent, then declined, canceled, or accepted
 * and ended). Closes the store, opens it again on the same file (a restart: no cached state, no
 * known stream heads), and times the real command path (sendInvitation: engagement look-ups, the
 * two reservations, InvitationSent). The read-model look-up of the invitee by username is
 * answered from memory: it is an indexed read-model query that does not depend on the history.
 *
 * `node dist/bench/long-invites.js --invitations 1000000 [--users N] [--samples 1000] [--dir D] [--cache-dir C]`; prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { aggregatesOf } from '../src/application/aggregates/aggregates.js';
import { AggregateRepository } from '../src/application/aggregates/repository.js';
import { BlockersIndex } from '../src/application/blocks/blockers-index.js';
import type { Actor, CommandDeps } from '../src/application/shared/deps.js';
import { cancelInvitation, sendInvitation } from '../src/application/invitations/invitations.js';
import { toNewEvent } from '../src/application/log/stored.js';
import { newId } from '../src/application/shared/ids.js';
import { domainEvents } from '../src/domain/events.js';
import type { NewEvent } from '../src/application/ports/event-store.js';
import type { Lookups, UserRecord } from '../src/application/ports/read-model.js';
import { engagementStream } from '../src/domain/engagement/engagement.js';
import type { AnyDomainEvent } from '../src/domain/events.js';
import { inviteStream } from '../src/domain/invite/invite.js';
import { DEFAULT_GAME_OPTIONS } from '../src/domain/invite/options.js';
import { isRefusal } from '../src/domain/shared/decision.js';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { prng } from '../test/support/prng.js';
import { round, summarise, type LatencySummary } from './stats.js';
import { memoryKeys } from '../test/support/memory-keys.js';

const { personal, usernames } = memoryKeys();

export interface LongInvitesOptions {
  readonly invitations: number;
  /** Users the history is spread over; invitations / 10 (at least 1,000) when absent. */
  readonly users?: number;
  /** Invitations timed after the first one. */
  readonly samples?: number;
  /** Where the log is written; a temporary directory (removed afterwards) when absent. */
  readonly dir?: string;
  /**
   * Seeds once into this directory and copies from it afterwards (the run appends, so the seeded
   * log is never used in place): seeding a million invitations takes minutes.
   */
  readonly cacheDir?: string;
}

export interface LongInvitesResult {
  readonly invitations: number;
  readonly users: number;
  readonly events: number;
  readonly logFileMiB: number;
  readonly seedSeconds: number;
  readonly reopenMs: number;
  /** The first append after the restart, to an unrelated stream: the writer thread's start. */
  readonly writerWarmupMs: number;
  readonly firstInvitationMs: number;
  /** Events on the two first-invited users' engagement streams: what the first invitation had to read. */
  readonly firstUsersHistory: number;
  readonly invitations1000: LatencySummary;
  readonly refusedDuringSamples: number;
}

const SEED_BATCH = 5000;
const uid = (i: number): string => `user-${i}`;
const uname = (i: number): string => `player_${i}`;

const seed = async (path: string, invitations: number, users: number): Promise<{ events: number; history: Map<number, number> }> => {
  // Big transactions: the seed is one writer's bulk load, not traffic.
  const store = SqliteEventStore.open({ path, synchronous: 'NORMAL', maxGroupSize: 50_000 });
  const random = prng(invitations);
  const history = new Map<number, number>();
  let clock = Date.parse('2025-01-01T00:00:00Z');
  let events = 0;
  const iso = (t: number): string => new Date(t).toISOString();
  // None of these events holds personal data: sealing passes them through.
  const emit = (e: AnyDomainEvent, userId: string, t: number): Promise<NewEvent> => {
    events += 1;
    return toNewEvent(domainEvents, e, { userId, correlationId: randomUUID(), timestamp: iso(t) }, newId(), personal);
  };
  for (let done = 0; done < invitations;) {
    const appends: Promise<unknown>[] = [];
    const n = Math.min(SEED_BATCH, invitations - done);
    for (let k = 0; k < n; k++) {
      const a = Math.floor(random() * users);
      let b = Math.floor(random() * (users - 1));
      if (b >= a) b += 1;
      history.set(a, (history.get(a) ?? 0) + 1);
      history.set(b, (history.get(b) ?? 0) + 1);
      const [inviterId, inviteeId] = [uid(a), uid(b)];
      const inviteId = randomUUID();
      const t = (clock += 1000);
      const at = iso(t);
      for (const [userId, role] of [
        [inviterId, 'inviter'],
        [inviteeId, 'invitee'],
      ] as const) {
        const reserved: AnyDomainEvent = {
          type: 'EngagementReserved',
          data: { userId, inviteId, role, at, holdUntil: iso(t + 10_000), ...(role === 'inviter' ? { recentSince: iso(t - 60_000) } : {}) },
        };
        appends.push(emit(reserved, userId, t).then((sealed) => store.append(engagementStream(userId), [sealed], 'any')));
      }
      const parties = { inviteId, inviterId, inviteeId };
      const life: Promise<NewEvent>[] = [
        emit(
          { type: 'InvitationSent', data: { ...parties, options: DEFAULT_GAME_OPTIONS, clientId: inviteId, at, expiresAt: iso(t + 300_000) } },
          inviterId,
          t,
        ),
      ];
      const r = random();
      const later = iso(t + 20_000);
      if (r < 0.4) life.push(emit({ type: 'InvitationDeclined', data: { ...parties, at: later } }, inviteeId, t));
      else if (r < 0.7) life.push(emit({ type: 'InvitationCanceled', data: { ...parties, reason: 'canceled', clientId: inviteId, at: later } }, inviterId, t));
      else {
        const gameId = randomUUID();
        const endsAt = iso(t + 20_000 + 300_000);
        life.push(emit({ type: 'InvitationAccepted', data: { ...parties, gameId, options: DEFAULT_GAME_OPTIONS, at: later, endsAt } }, inviteeId, t));
        life.push(emit({ type: 'GameEnded', data: { gameId, players: [inviterId, inviteeId], at: endsAt } }, inviterId, t));
      }
      appends.push(Promise.all(life).then((sealed) => store.append(inviteStream(inviteId), sealed, 'no_stream')));
    }
    await Promise.all(appends);
    done += n;
  }
  await store.close();
  return { events, history };
};

const depsOn = (store: SqliteEventStore): CommandDeps => {
  const userByUsername = async (username: string): Promise<UserRecord | undefined> =>
    username.startsWith('player_')
      ? { userId: `user-${username.slice('player_'.length)}`, username, nickname: username, avatar: '', isOnline: true }
      : undefined;
  return {
    aggregates: aggregatesOf(new AggregateRepository(store, personal)),
    lookups: async () => ({ userByUsername }) as Partial<Lookups> as Lookups,
    usernames,
    blockers: new BlockersIndex(() => store.headPosition(), 1000),
    policies: { nodeId: 'bench', inviteTtlMs: 300_000, inviteRateLimit: { max: 10, windowMs: 60_000 }, gameGraceMs: 120_000, activityThrottleMs: 60_000 },
    now: () => new Date(),
    newId: randomUUID,
  };
};

const actor = (i: number): Actor => ({ userId: uid(i), username: uname(i), nickname: uname(i), avatar: '' });

interface SeedManifest {
  readonly invitations: number;
  readonly users: number;
  readonly events: number;
  readonly history: readonly (readonly [number, number])[];
}

/** The seeded log at `path`, from the cache when it holds this size, else seeded now (and cached). */
const seededLog = async (
  path: string,
  invitations: number,
  users: number,
  cacheDir: string | undefined,
): Promise<{ events: number; history: Map<number, number> }> => {
  if (cacheDir === undefined) return seed(path, invitations, users);
  const cached = join(cacheDir, `long-invites-${invitations}-${users}`);
  const manifestPath = join(cached, 'manifest.json');
  if (!existsSync(manifestPath)) {
    const tmp = `${cached}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const { events, history } = await seed(join(tmp, 'events.db'), invitations, users);
    const manifest: SeedManifest = { invitations, users, events, history: [...history.entries()].filter(([i]) => i < 2) };
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest));
    rmSync(cached, { recursive: true, force: true });
    renameSync(tmp, cached);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as SeedManifest;
  for (const suffix of ['', '-wal']) if (existsSync(join(cached, `events.db${suffix}`))) copyFileSync(join(cached, `events.db${suffix}`), `${path}${suffix}`);
  return { events: manifest.events, history: new Map(manifest.history) };
};

export const runLongInvites = async (opts: LongInvitesOptions): Promise<LongInvitesResult> => {
  const users = opts.users ?? Math.max(1000, Math.floor(opts.invitations / 10));
  const samples = opts.samples ?? 1000;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'long-invites-'));
  const path = join(dir, 'events.db');
  try {
    const seedStart = performance.now();
    const { events, history } = await seededLog(path, opts.invitations, users, opts.cacheDir);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    // The restart: a new process would open the file like this, with nothing cached.
    const reopenStart = performance.now();
    const store = SqliteEventStore.open({ path, synchronous: 'NORMAL' });
    const reopenMs = performance.now() - reopenStart;
    const deps = depsOn(store);
    try {
      // The writer thread starts with the store; a node takes its first invitation long after
      // its first appends (every socket's set-up writes), so it is warmed up before the timing.
      const warm = performance.now();
      await store.append(
        `bench-warmup-${randomUUID()}`,
        [
          await toNewEvent(
            domainEvents,
            { type: 'ActivityRecorded', data: { userId: 'bench', at: new Date().toISOString() } },
            { correlationId: 'bench', timestamp: new Date().toISOString() },
            newId(),
            personal,
          ),
        ],
        'no_stream',
      );
      const writerWarmupMs = performance.now() - warm;
      const invite = async (from: number, to: number): Promise<boolean> => {
        const outcome = await sendInvitation(deps, actor(from), { username: uname(to), clientId: randomUUID(), options: {} }, 'bench');
        return !isRefusal(outcome);
      };
      const t0 = performance.now();
      if (!(await invite(0, 1))) throw new Error('the first invitation was refused');
      const firstInvitationMs = performance.now() - t0;
      await cancelInvitation(deps, actor(0), uname(1), 'bench');

      // Then `samples` invitations between users with a history, each withdrawn (untimed) so nobody stays engaged.
      const latencies: number[] = [];
      let refused = 0;
      for (let k = 0; k < samples; k++) {
        const from = 2 + ((2 * k) % (users - 2));
        const to = 2 + ((2 * k + 1) % (users - 2));
        const s = performance.now();
        const sent = await invite(from, to);
        latencies.push(performance.now() - s);
        if (sent) await cancelInvitation(deps, actor(from), uname(to), 'bench');
        else refused += 1;
      }
      return {
        invitations: opts.invitations,
        users,
        events,
        logFileMiB: round(statSync(path).size / 2 ** 20, 1),
        seedSeconds: round(seedSeconds, 1),
        reopenMs: round(reopenMs),
        writerWarmupMs: round(writerWarmupMs),
        firstInvitationMs: round(firstInvitationMs),
        firstUsersHistory: (history.get(0) ?? 0) + (history.get(1) ?? 0),
        invitations1000: summarise(latencies),
        refusedDuringSamples: refused,
      };
    } finally {
      await store.close();
    }
  } finally {
    if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
};

const flag = (argv: readonly string[], name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (invokedDirectly) {
  const argv = process.argv.slice(2);
  const num = (name: string): number | undefined => (flag(argv, name) === undefined ? undefined : Number(flag(argv, name)));
  const dir = flag(argv, 'dir');
  const cacheDir = flag(argv, 'cache-dir');
  const users = num('users');
  const samples = num('samples');
  const result = await runLongInvites({
    invitations: num('invitations') ?? 1_000_000,
    ...(users === undefined ? {} : { users }),
    ...(samples === undefined ? {} : { samples }),
    ...(dir === undefined ? {} : { dir }),
    ...(cacheDir === undefined ? {} : { cacheDir }),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
