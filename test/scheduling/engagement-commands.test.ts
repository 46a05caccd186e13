import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { aggregatesOf } from '../../src/application/aggregates/aggregates.js';
import { AggregateRepository } from '../../src/application/aggregates/repository.js';
import { BlockersIndex } from '../../src/application/blocks/blockers-index.js';
import type { Actor, CommandDeps } from '../../src/application/shared/deps.js';
import { cancelInvitation, replyInvitation, sendInvitation } from '../../src/application/invitations/invitations.js';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '../../src/application/ports/event-store.js';
import type { ReadModelQueries, UserRecord } from '../../src/application/ports/read-model.js';
import { engagementStream } from '../../src/domain/engagement/engagement.js';
import { RECENT_INVITES_KEPT } from '../../src/domain/engagement/state.js';
import { inviteStream } from '../../src/domain/invite/invite.js';
import { DEFAULT_GAME_OPTIONS } from '../../src/domain/invite/options.js';
import { isRefusal } from '../../src/domain/shared/decision.js';
import { SqliteEventStore } from '../../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { memoryKeys } from '../support/memory-keys.js';

const { personal, usernames } = memoryKeys();

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const HOLD_MS = 5000;
const actor = (name: string): Actor => ({ userId: `id-${name}`, username: name, nickname: name, avatar: '' });
const queries = {
  userByUsername: async (username: string): Promise<UserRecord> => ({ userId: `id-${username}`, username, nickname: username, avatar: '', isOnline: true }),
} as Partial<ReadModelQueries> as ReadModelQueries;

/** The embedded store, except that the `failAt`-th append (1-based) throws: a node dying between two writes. */
class CrashingStore {
  appends = 0;
  failAt: number | undefined;
  readonly store: EventStore;
  constructor(inner: SqliteEventStore) {
    this.store = this.wrap(inner);
  }
  private wrap(inner: EventStore): EventStore {
    return new Proxy(inner, {
      get: (target, key, receiver) => {
        if (key === 'append') {
          return async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
            this.appends += 1;
            if (this.appends === this.failAt) throw new Error(`injected: the node died before appending to ${streamId}`);
            return target.append(streamId, events, expected);
          };
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

describe('invitation commands over per-user and per-invitation streams (embedded store)', () => {
  let dir: string;
  let inner: SqliteEventStore;
  let crashing: CrashingStore;
  let clock: number;

  const depsOn = (rateLimit = { max: 1000, windowMs: 60_000 }): CommandDeps => ({
    aggregates: aggregatesOf(new AggregateRepository(crashing.store, personal)),
    lookups: async () => queries,
    usernames,
    blockers: new BlockersIndex(() => crashing.store.headPosition(), 1000),
    policies: { nodeId: 'n1', inviteTtlMs: 60_000, inviteRateLimit: rateLimit, gameGraceMs: 0, activityThrottleMs: 0, engagementHoldMs: HOLD_MS },
    now: () => new Date(clock),
    newId: randomUUID,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engagement-test-'));
    inner = SqliteEventStore.open({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
    crashing = new CrashingStore(inner);
    clock = T0;
  });
  afterEach(async () => {
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const invite = async (deps: CommandDeps, from: string, to: string): Promise<string> => {
    const outcome = await sendInvitation(deps, actor(from), { username: to, clientId: randomUUID(), options: {} }, 'c');
    if (isRefusal(outcome)) return outcome.code;
    const sent = outcome.events[0];
    if (sent?.type !== 'InvitationSent') throw new Error('no InvitationSent');
    return 'sent';
  };

  it('a crash between the reservations and InvitationSent engages both users for the hold only; then the next command fences it off', async () => {
    const deps = depsOn();
    crashing.failAt = 3; // reservation, reservation, then InvitationSent fails
    let crashed = false;
    await invite(deps, 'alice', 'bob').catch(() => (crashed = true));
    expect(crashed, 'the send failed').to.equal(true);
    crashing.failAt = undefined;
    const orphan = (await deps.aggregates.engagement.load(engagementStream('id-bob'))).state.pointer?.inviteId;
    expect(orphan, 'bob is reserved for the unsent invitation').to.be.a('string');
    expect(await inner.lastRevision(inviteStream(orphan!)), 'never sent').to.equal(undefined);

    clock = T0 + HOLD_MS - 1;
    expect(await invite(deps, 'carol', 'bob'), 'within the hold it may still be sent: bob is engaged').to.equal('invitation_pending');
    expect(await invite(deps, 'dave', 'alice')).to.equal('invitation_pending');

    clock = T0 + HOLD_MS;
    expect(await invite(deps, 'carol', 'bob'), 'past the hold: nobody stays stuck').to.equal('sent');
    const fence = await inner.readStream(inviteStream(orphan!));
    expect(
      fence.map((e) => e.type),
      'fenced with expected no_stream',
    ).to.deep.equal(['InvitationAbandoned']);
    expect(await invite(deps, 'alice', 'dave'), 'alice is free too').to.equal('sent');
    expect((await deps.aggregates.invite.load(inviteStream(orphan!))).state.status).to.equal('over');
  });

  it('an invitation sent late, before anyone fenced it, counts: the fence loses and the users stay engaged', async () => {
    const deps = depsOn();
    crashing.failAt = 3;
    await invite(deps, 'alice', 'bob').catch(() => undefined);
    crashing.failAt = undefined;
    const orphan = (await deps.aggregates.engagement.load(engagementStream('id-alice'))).state.pointer!.inviteId;
    clock = T0 + HOLD_MS + 1;
    // The slow sender's InvitationSent lands just before the fence would.
    const at = new Date(T0).toISOString();
    const late = {
      inviteId: orphan,
      inviterId: 'id-alice',
      inviteeId: 'id-bob',
      options: { ...DEFAULT_GAME_OPTIONS },
      clientId: 'tab',
      at,
      expiresAt: new Date(T0 + 60_000).toISOString(),
    };
    const appended = await inner.append(
      inviteStream(orphan),
      [{ id: randomUUID(), type: 'InvitationSent', data: late, metadata: { correlationId: 'late', timestamp: at, schemaVersion: 1 } }],
      'no_stream',
    );
    expect(appended._tag).to.equal('Appended');
    expect(await invite(deps, 'carol', 'bob')).to.equal('invitation_pending');
    expect(await invite(deps, 'alice', 'carol')).to.equal('invitation_pending');
    const reply = await replyInvitation(deps, actor('bob'), { username: 'alice', accept: false }, 'c');
    expect(isRefusal(reply), 'the late invitation is a real one: bob can answer it').to.equal(false);
    expect(await invite(deps, 'carol', 'bob')).to.equal('sent');
  });

  it('a failed second reservation is given back: the first user is not left engaged, and it does not count against the rate limit', async () => {
    const deps = depsOn({ max: 1, windowMs: 60_000 });
    // alice < bob: alice is reserved first, then bob's reservation fails.
    crashing.failAt = 2;
    let threw = false;
    await invite(deps, 'alice', 'bob').catch(() => (threw = true));
    expect(threw).to.equal(true);
    crashing.failAt = undefined;
    const alice = (await deps.aggregates.engagement.load(engagementStream('id-alice'))).state;
    expect(alice.pointer, 'released').to.equal(undefined);
    expect(alice.recentInvites.size).to.equal(0);
    expect(await invite(deps, 'alice', 'carol'), 'at once, within the hold, and within a rate limit of 1').to.equal('sent');
  });

  it('a user with a long invitation history: the rules hold, and the rate-limit memory stays bounded', async () => {
    const deps = depsOn({ max: 10, windowMs: 60_000 });
    for (let i = 0; i < 300; i++) {
      clock = T0 + i * 7000; // under 10 a minute
      expect(await invite(deps, 'alice', `bob${i}`)).to.equal('sent');
      const answer =
        i % 2 === 0
          ? await replyInvitation(deps, actor(`bob${i}`), { username: 'alice', accept: false }, 'c')
          : await cancelInvitation(deps, actor('alice'), `bob${i}`, 'c');
      expect(isRefusal(answer), `answer ${i}`).to.equal(false);
    }
    const state = (await deps.aggregates.engagement.load(engagementStream('id-alice'), { verify: true })).state;
    expect(state.recentInvites.size, 'only the window').to.be.at.most(RECENT_INVITES_KEPT).and.at.most(10);
    expect(await inner.lastRevision(engagementStream('id-alice'))).to.equal(299);

    clock = T0 + 300 * 7000;
    expect(await invite(deps, 'alice', 'erin')).to.equal('sent');
    expect(await invite(deps, 'frank', 'alice'), 'alice has a pending invitation').to.equal('invitation_pending');
    expect(await invite(deps, 'frank', 'erin'), 'so has erin').to.equal('invitation_pending');
    expect(await invite(deps, 'alice', 'frank'), 'and alice cannot send another').to.equal('invitation_pending');
    const accepted = await replyInvitation(deps, actor('erin'), { username: 'alice', accept: true }, 'c');
    expect(isRefusal(accepted)).to.equal(false);
    expect(await invite(deps, 'frank', 'alice'), 'in a game now').to.equal('already_in_game');
    clock += 3 * 60_000; // the game's time limit (grace 0)
    // The window has moved past the send to erin: ten more are allowed, the eleventh is not.
    for (let i = 0; i < 10; i++) {
      expect(await invite(deps, 'alice', `gina${i}`)).to.equal('sent');
      expect(isRefusal(await cancelInvitation(deps, actor('alice'), `gina${i}`, 'c'))).to.equal(false);
    }
    expect(await invite(deps, 'alice', 'gina10'), 'the rate limit still counts, on the long stream').to.equal('rate_limited');
  });
});
