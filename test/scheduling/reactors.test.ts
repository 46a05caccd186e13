import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startTestService, type TestService } from '../support/test-service.js';
import { inject } from '../ws/faults.js';
import { newUser, sleep, waitUntil } from '../ws/support.js';
import { fastScheduling } from './support.js';

/** Counts the runs of one command kind on a node. */
const countCommand = (svc: TestService, kind: string): { readonly count: () => number; readonly restore: () => void } => {
  let n = 0;
  const invite = svc.service.deps.aggregates.invite;
  const restore = inject(
    invite,
    'execute',
    (original) =>
      ((...args: Parameters<typeof invite.execute>) => {
        if (args[1].kind === kind) n += 1;
        return original.apply(invite, args);
      }) as typeof invite.execute,
  );
  return { count: () => n, restore };
};

const storedOfType = async (svc: TestService, type: string): Promise<number> => (await svc.service.store.readAll({ filter: { eventTypes: [type] } })).length;

describe('follow-up policies run as reactors, once across nodes', function () {
  this.timeout(30_000);
  // Nodes that stop and start again share a directory none of them deletes.
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'reactors-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('two nodes: the inviter going offline withdraws the invitation once, on one node', async () => {
    const overrides = fastScheduling({ presence: { leaseTtlMs: 600 } });
    const a = await startTestService(overrides, { dataDir });
    const b = await startTestService(overrides, { dataDir });
    try {
      const onA = countCommand(a, 'CancelInvitationsOf');
      const onB = countCommand(b, 'CancelInvitationsOf');
      const alice = await newUser(a, 'alice');
      const bob = await newUser(a, 'bob');
      const inviter = await b.connect(alice.name, { token: alice.token });
      const invitee = await a.connect(bob.name, { token: bob.token });
      inviter.send('game_invite', { username: bob.name, client_id: randomUUID() });
      await invitee.nextAction('game_invite');
      await inviter.close();
      expect((await invitee.nextAction('game_invite_canceled', 5000)).data['username']).to.equal(alice.name);
      await sleep(500);
      expect(onA.count() + onB.count(), 'CancelInvitationsOf runs').to.equal(1);
      expect(await storedOfType(a, 'InvitationCanceled')).to.equal(1);
      onA.restore();
      onB.restore();
      await invitee.close();
    } finally {
      await b.stop();
      await a.stop();
    }
  });

  it('a node that stops hands its reactors over: the other node goes on from the checkpoint', async () => {
    const overrides = fastScheduling({ presence: { leaseTtlMs: 600 } });
    const a = await startTestService(overrides, { dataDir });
    const b = await startTestService(overrides, { dataDir });
    try {
      await a.stop();
      const alice = await newUser(b, 'alice');
      const bob = await newUser(b, 'bob');
      const inviter = await b.connect(alice.name, { token: alice.token });
      const invitee = await b.connect(bob.name, { token: bob.token });
      inviter.send('game_invite', { username: bob.name, client_id: randomUUID() });
      await invitee.nextAction('game_invite');
      await inviter.close();
      expect((await invitee.nextAction('game_invite_canceled', 5000)).data['username']).to.equal(alice.name);
      await invitee.close();
    } finally {
      await b.stop();
    }
  });

  it('the reacting node stops between an invitation being stored and its expiry job: the next owner schedules it, and the invitation still expires', async () => {
    const overrides = { ...fastScheduling({ invites: { ttlMs: 1500 }, presence: { leaseTtlMs: 600 } }) };
    // `first` starts first, so it owns the reactors; its job store refuses every write.
    const first = await startTestService(overrides, { dataDir });
    const keeper = await startTestService(overrides, { dataDir });
    try {
      let attempts = 0;
      const scheduler = first.service.deps.scheduler;
      if (scheduler === undefined) throw new Error('no scheduler');
      inject(scheduler, 'scheduleInvitationExpiry', () => () => {
        attempts += 1;
        return Promise.reject(new Error('injected: the job store is down'));
      });
      const alice = await newUser(keeper, 'alice');
      const bob = await newUser(keeper, 'bob');
      const inviter = await keeper.connect(alice.name, { token: alice.token });
      const watcher = await keeper.connect(bob.name, { token: bob.token });
      inviter.send('game_invite', { username: bob.name, client_id: randomUUID() });
      await watcher.nextAction('game_invite');
      await waitUntil(() => attempts >= 2, 5000, 'the owner to try (and retry) scheduling the expiry');
      await first.stop();
      const canceled = await watcher.nextAction('game_invite_canceled', 10_000);
      expect(canceled.data['username']).to.equal(alice.name);
      expect(canceled.data['message']).to.match(/expired/);
      expect(await storedOfType(keeper, 'InvitationCanceled')).to.equal(1);
      await Promise.all([inviter.close(), watcher.close()]);
    } finally {
      await keeper.stop();
    }
  });
});
