import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BlockersIndex } from '../../src/application/blocks/blockers-index.js';
import { aggregatesOf } from '../../src/application/aggregates/aggregates.js';
import { AggregateRepository } from '../../src/application/aggregates/repository.js';
import type { Actor, CommandDeps } from '../../src/application/shared/deps.js';
import { replyInvitation, sendInvitation } from '../../src/application/invitations/invitations.js';
import { openConnection } from '../../src/application/presence/connections.js';
import type { NodeLeases } from '../../src/application/ports/node-leases.js';
import type { Lookups, UserRecord } from '../../src/application/ports/read-model.js';
import type { Scheduler } from '../../src/application/ports/scheduler.js';
import { endGameJob } from '../../src/application/invitations/end-game-job.js';
import { expireInvitationJob } from '../../src/application/invitations/expire-job.js';
import type { JobContext } from '../../src/application/scheduling/job.js';
import { LeaseKeeper } from '../../src/application/presence/lease-keeper.js';
import { closeOutDeadNodes } from '../../src/application/presence/node-lease-check.js';
import { invitationReactors } from '../../src/application/invitations/reactors.js';
import { decodeStored } from '../../src/application/log/stored.js';
import { domainEvents } from '../../src/domain/events.js';
import { inviteStream } from '../../src/domain/invite/invite.js';
import { presenceStream } from '../../src/domain/presence/presence.js';
import { isRefusal } from '../../src/domain/shared/decision.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { memoryKeys } from '../support/memory-keys.js';

const { personal, usernames } = memoryKeys();

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const ctx: JobContext = { correlationId: 'test', touch: async () => {} };
const actor = (name: string, connectionId?: string): Actor => ({
  userId: `id-${name}`,
  username: name,
  nickname: name,
  avatar: '',
  ...(connectionId === undefined ? {} : { connectionId }),
});

/** Only what the jobs and the invite commands read from the read models. */
const queries = (online: () => readonly string[]): Lookups => {
  const user = async (username: string): Promise<UserRecord> => ({ userId: `id-${username}`, username, nickname: username, avatar: '', isOnline: true });
  return { userByUsername: user, onlineUserIds: async () => online() } as Partial<Lookups> as Lookups;
};

/** In-memory leases with a log of what was forgotten. */
class FakeLeases implements NodeLeases {
  readonly until = new Map<string, number>();
  readonly forgotten: string[] = [];
  async renew(nodeId: string, until: Date): Promise<void> {
    this.until.set(nodeId, until.getTime());
  }
  async lapsed(now: Date): Promise<readonly string[]> {
    return [...this.until].filter(([, u]) => u < now.getTime()).map(([n]) => n);
  }
  async forget(nodeId: string, lapsedAt?: Date): Promise<void> {
    const u = this.until.get(nodeId);
    if (u !== undefined && (lapsedAt === undefined || u < lapsedAt.getTime())) {
      this.until.delete(nodeId);
      this.forgotten.push(nodeId);
    }
  }
  async close(): Promise<void> {}
}

describe('scheduling: job handlers over the real commands (embedded store)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let clock: number;
  let online: string[];
  let scheduled: Array<[string, string, number]>;

  const depsOn = (nodeId: string): CommandDeps => {
    const scheduler: Scheduler = {
      scheduleInvitationExpiry: async (id, at) => void scheduled.push(['expiry', id, at.getTime()]),
      scheduleGameEnd: async (id, at, inviteId) => void scheduled.push(['end', `${id} of ${inviteId}`, at.getTime()]),
    };
    return {
      aggregates: aggregatesOf(new AggregateRepository(store, personal)),
      lookups: async () => queries(() => online),
      usernames,
      blockers: new BlockersIndex(() => store.headPosition(), 1000),
      policies: { nodeId, inviteTtlMs: 1000, inviteRateLimit: { max: 100, windowMs: 1000 }, gameGraceMs: 0, activityThrottleMs: 0 },
      now: () => new Date(clock),
      newId: randomUUID,
      scheduler,
    };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jobs-test-'));
    store = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    clock = T0;
    online = [];
    scheduled = [];
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const invite = async (deps: CommandDeps, from: string, to: string): Promise<string> => {
    const outcome = await sendInvitation(deps, actor(from), { username: to, clientId: randomUUID(), options: {} }, 'c');
    if (isRefusal(outcome)) throw new Error(outcome.code);
    const sent = outcome.events[0];
    if (sent?.type !== 'InvitationSent') throw new Error('no InvitationSent');
    return sent.data.inviteId;
  };

  const storedTypes = async (inviteId: string): Promise<string[]> => (await store.readStream(inviteStream(inviteId))).map((e) => e.type);

  /** Every follow-up policy, given each stored event of its types in log order (what a ReactorRunner does). */
  const react = async (deps: CommandDeps): Promise<void> => {
    const records = await store.readAll();
    await personal.prepare(domainEvents, records);
    const log = records.flatMap((r) => decodeStored(domainEvents, r, personal) ?? []);
    for (const reactor of invitationReactors(deps, deps.scheduler as Scheduler)) {
      for (const e of log) if (reactor.eventTypes.includes(e.event.type)) await reactor.react(e);
    }
  };

  it('the commands schedule nothing themselves; the reactors schedule the expiry at expiresAt and the game end at endsAt', async () => {
    const deps = depsOn('n1');
    const inviteId = await invite(deps, 'alice', 'bob');
    const accepted = await replyInvitation(deps, actor('bob'), { username: 'alice', accept: true }, 'c');
    if (isRefusal(accepted) || accepted.events[0]?.type !== 'InvitationAccepted') throw new Error('not accepted');
    expect(scheduled, 'no scheduling in the command path').to.deep.equal([]);
    await react(deps);
    expect(scheduled).to.deep.equal([
      ['expiry', inviteId, T0 + 1000],
      ['end', `${accepted.events[0].data.gameId} of ${inviteId}`, T0 + 3 * 60_000],
    ]);
  });

  it('expire-invitation: on time it expires; run by a node whose clock lags, it asks to run again at expiresAt', async () => {
    const deps = depsOn('n1');
    const inviteId = await invite(deps, 'alice', 'bob');
    const job = expireInvitationJob(deps);
    clock = T0 + 400; // this node's clock is behind the one that scheduled the job
    expect(await job.run({ inviteId }, ctx)).to.deep.equal({ runAgainAt: new Date(T0 + 1000) });
    clock = T0 + 1000;
    expect(await job.run({ inviteId }, ctx)).to.equal(undefined);
    const invitation = async () => (await deps.aggregates.invite.load(inviteStream(inviteId))).state.status;
    expect(await invitation()).to.equal('over');
    expect(await job.run({ inviteId }, ctx), 'a second run (after a takeover) is a no-op').to.equal(undefined);
    let threw = false;
    await job.run({}, ctx).catch(() => (threw = true));
    expect(threw, 'bad job data is a failure, not a silent success').to.equal(true);
  });

  it('end-game: ends the game on the invitation the job names; a job stored before jobs carried the inviteId is a no-op', async () => {
    const deps = depsOn('n1');
    const inviteId = await invite(deps, 'alice', 'bob');
    const accepted = await replyInvitation(deps, actor('bob'), { username: 'alice', accept: true }, 'c');
    if (isRefusal(accepted) || accepted.events[0]?.type !== 'InvitationAccepted') throw new Error('not accepted');
    const gameId = accepted.events[0].data.gameId;
    const job = endGameJob(deps);
    const status = async () => (await deps.aggregates.invite.load(inviteStream(inviteId))).state.status;
    await job.run({ gameId }, ctx);
    expect(await status(), 'an old job: nothing to append to').to.equal('in_game');
    expect(await storedTypes(inviteId)).to.deep.equal(['InvitationSent', 'InvitationAccepted']);
    await job.run({ gameId, inviteId }, ctx);
    expect(await status()).to.equal('over');
    await job.run({ gameId, inviteId }, ctx);
    expect(await storedTypes(inviteId), 'a second run (after a takeover) is a no-op').to.deep.equal(['InvitationSent', 'InvitationAccepted', 'GameEnded']);
    let threw = false;
    await job.run({ inviteId }, ctx).catch(() => (threw = true));
    expect(threw, 'no gameId is a failure').to.equal(true);
  });

  it('a job that has not run yet never blocks a player: past expiresAt / endsAt the deciders let both invite again, and the late job records the end', async () => {
    const deps = depsOn('n1');
    const lapsedInvite = await invite(deps, 'alice', 'bob');
    const game = await invite(deps, 'carol', 'dave');
    await replyInvitation(deps, actor('dave'), { username: 'carol', accept: true }, 'c'); // game ends at T0 + 3 min
    const status = async (inviteId: string) => (await deps.aggregates.invite.load(inviteStream(inviteId))).state.status;
    // Past the invitation's expiry, before its job ran: alice and bob are free, carol and dave still play.
    clock = T0 + 1200;
    expect(await status(lapsedInvite)).to.equal('pending');
    const again = await invite(deps, 'bob', 'alice');
    expect(await status(again)).to.equal('pending');
    const busy = await sendInvitation(deps, actor('erin'), { username: 'dave', clientId: randomUUID(), options: {} }, 'c');
    expect(isRefusal(busy) && busy.code).to.equal('already_in_game');
    // The expiry job, however late, records the lapsed invitation's end (and only that one).
    await expireInvitationJob(deps).run({ inviteId: lapsedInvite }, ctx);
    expect(await status(lapsedInvite)).to.equal('over');
    expect(await status(game)).to.equal('in_game');
    // Past the game's end, before its job ran: carol may invite dave again.
    clock = T0 + 4 * 60_000;
    expect(await status(await invite(deps, 'carol', 'dave'))).to.equal('pending');
  });

  it("node-leases: closes out a lapsed node's connections (offline if they were the last, then the reactor withdraws invitations), never its own", async () => {
    const a = depsOn('node-a');
    const b = depsOn('node-b');
    await openConnection(b, actor('dave', 'dave-on-b'), 'c'); // only on B
    await openConnection(a, actor('erin', 'erin-on-a'), 'c'); // on A and B
    await openConnection(b, actor('erin', 'erin-on-b'), 'c');
    await openConnection(a, actor('carol', 'carol-on-a'), 'c');
    online = ['id-dave', 'id-erin', 'id-carol'];
    const daveInvite = await invite(b, 'dave', 'carol');
    const leases = new FakeLeases();
    await leases.renew('node-a', new Date(T0 - 1)); // A's own lease looks lapsed: A stalled, it is not dead
    await leases.renew('node-b', new Date(T0 - 1));

    expect(await closeOutDeadNodes(a, leases, 'node-a', ctx)).to.deep.equal(['node-b']);
    expect(leases.forgotten).to.deep.equal(['node-b']);
    const presence = async (u: string) => (await a.aggregates.presence.load(presenceStream(`id-${u}`))).state;
    expect((await presence('dave')).online).to.equal(false);
    expect([...(await presence('erin')).connections.keys()], 'erin keeps her socket on A').to.deep.equal(['erin-on-a']);
    expect((await presence('erin')).online).to.equal(true);
    expect((await presence('carol')).connections.size).to.equal(1);
    const daves = async () => (await a.aggregates.invite.load(inviteStream(daveInvite))).state.status;
    expect(await daves(), 'withdrawn by the reactor, not the lease check').to.equal('pending');
    await react(a);
    expect(await daves(), "dave's invitation withdrawn with him").to.equal('over');
    expect(await closeOutDeadNodes(a, leases, 'node-a', ctx), 'B is forgotten: nothing left to do').to.deep.equal([]);
  });

  it('the lease keeper takes the lease at start, renews it, and releases it on a clean stop', async () => {
    const leases = new FakeLeases();
    const errors: unknown[] = [];
    const keeper = new LeaseKeeper(
      leases,
      'me',
      90,
      () => new Date(),
      (e) => errors.push(e),
    );
    await keeper.start();
    const first = leases.until.get('me')!;
    await new Promise((r) => setTimeout(r, 100));
    expect(leases.until.get('me')!, 'renewed every ttl/3').to.be.above(first);
    await keeper.stop(true);
    expect(leases.until.has('me')).to.equal(false);
    expect(errors).to.deep.equal([]);
  });
});
