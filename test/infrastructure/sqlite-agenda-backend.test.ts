import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agenda, type Job, type JobParameters } from 'agenda';
import { expect } from 'chai';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { openSchedulerStores } from '../../src/infrastructure/scheduler/create-agenda.js';
import { SqliteAgendaBackend } from '../../src/infrastructure/scheduler/sqlite-agenda-backend.js';
import { SqliteJobRepository } from '../../src/infrastructure/scheduler/sqlite-job-repository.js';

const WORKER = fileURLToPath(new URL('./fixtures/agenda-worker.js', import.meta.url));
const MINUTE = 60_000;

const job = (over: Partial<JobParameters> & { name: string }): JobParameters => ({
  priority: 0,
  nextRunAt: new Date(),
  type: 'normal',
  data: {},
  ...over,
});

describe('SQLite agenda backend', function () {
  this.timeout(30_000);
  let dir: string;
  let path: string;
  let repo: SqliteJobRepository;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agenda-sqlite-'));
    path = join(dir, 'scheduler.db');
    repo = new SqliteJobRepository({ path });
  });
  afterEach(async () => {
    await repo.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const save = (j: JobParameters, lastModifiedBy?: string) => repo.saveJob(j, lastModifiedBy === undefined ? undefined : { lastModifiedBy });
  const next = (name: string, o: { now?: number; scanAheadMs?: number; lockLifetimeMs?: number } = {}) => {
    const now = o.now ?? Date.now();
    return repo.getNextJobToRun(name, new Date(now + (o.scanAheadMs ?? 0)), new Date(now - (o.lockLifetimeMs ?? 10 * MINUTE)), new Date(now), {
      lastModifiedBy: 'node-x',
    });
  };

  describe('saveJob', () => {
    it('inserts with an id and round-trips every field (dates as Dates, data and interval as given)', async () => {
      const at = new Date(Date.now() + MINUTE);
      const saved = await save(
        job({
          name: 'a',
          priority: 10,
          nextRunAt: at,
          data: { to: 'x', n: [1, 2], nested: { ok: true } },
          repeatInterval: 5000,
          repeatTimezone: 'UTC',
          disabled: false,
          skipDays: [0, 6],
          startDate: at,
        }),
        'me',
      );
      expect(saved._id).to.be.a('string');
      const got = await repo.getJobById(String(saved._id));
      expect(got).to.deep.include({
        name: 'a',
        priority: 10,
        type: 'normal',
        repeatInterval: 5000,
        repeatTimezone: 'UTC',
        disabled: false,
        lastModifiedBy: 'me',
      });
      expect(got?.data).to.deep.equal({ to: 'x', n: [1, 2], nested: { ok: true } });
      expect(got?.nextRunAt).to.be.instanceOf(Date).and.deep.equal(at);
      expect(got?.startDate).to.deep.equal(at);
      expect(got?.skipDays).to.deep.equal([0, 6]);
      expect(got?.lockedAt).to.equal(undefined);
      expect(await repo.getJobById('no-such-id')).to.equal(null);
    });

    it('updates by id without touching what the job processor manages (lock, runs, progress)', async () => {
      const saved = await save(job({ name: 'u', data: { v: 1 }, nextRunAt: new Date(Date.now() - 1000) }));
      const locked = await next('u');
      expect(locked?.lockedAt).to.be.instanceOf(Date);
      const updated = await save({ ...saved, priority: 20, data: { v: 2 } });
      expect(updated).to.deep.include({ _id: saved._id, priority: 20 });
      expect(updated.data).to.deep.equal({ v: 2 });
      expect(updated.lockedAt, 'a save by the job owner does not release a lock').to.deep.equal(locked?.lockedAt);
    });

    it('returns the job unchanged when updating one that was removed meanwhile', async () => {
      const saved = await save(job({ name: 'gone' }));
      await repo.removeJobs({ id: saved._id });
      const again = await save({ ...saved, priority: 3 });
      expect(again.priority).to.equal(3);
      expect(await repo.getJobById(String(saved._id))).to.equal(null);
    });

    it("'single' jobs (every) exist once per name; a due time already reached is not pushed back", async () => {
      const due = new Date(Date.now() - 1000);
      const first = await save(job({ name: 's', type: 'single', nextRunAt: due, repeatInterval: 1000 }));
      const second = await save(job({ name: 's', type: 'single', nextRunAt: new Date(Date.now() - 10), repeatInterval: 2000 }));
      expect(second._id).to.equal(first._id);
      expect(second.nextRunAt, 'protected').to.deep.equal(due);
      expect(second.repeatInterval, 'the definition is updated').to.equal(2000);
      const later = new Date(Date.now() + MINUTE);
      const third = await save(job({ name: 's', type: 'single', nextRunAt: later }));
      expect(third.nextRunAt, 'a future time replaces it').to.deep.equal(later);
      expect((await repo.queryJobs({ name: 's' })).total).to.equal(1);
    });

    it('unique: one job per key; insertOnly keeps the first as it is, plain unique updates it', async () => {
      const at1 = new Date(Date.now() + MINUTE);
      const at2 = new Date(Date.now() + 2 * MINUTE);
      const a = await save(
        job({ name: 'exp', data: { inviteId: 'i1', v: 1 }, nextRunAt: at1, unique: { 'data.inviteId': 'i1' }, uniqueOpts: { insertOnly: true } }),
      );
      const b = await save(
        job({ name: 'exp', data: { inviteId: 'i1', v: 2 }, nextRunAt: at2, unique: { 'data.inviteId': 'i1' }, uniqueOpts: { insertOnly: true } }),
      );
      expect(b._id).to.equal(a._id);
      expect(b.nextRunAt).to.deep.equal(at1);
      expect(b.data).to.deep.equal({ inviteId: 'i1', v: 1 });
      const c = await save(job({ name: 'exp', data: { inviteId: 'i1', v: 3 }, nextRunAt: at2, unique: { 'data.inviteId': 'i1' } }));
      expect(c._id).to.equal(a._id);
      expect(c.data).to.deep.equal({ inviteId: 'i1', v: 3 });
      const other = await save(job({ name: 'exp', data: { inviteId: 'i2' }, unique: { 'data.inviteId': 'i2' }, uniqueOpts: { insertOnly: true } }));
      expect(other._id).to.not.equal(a._id);
      const sameKeyOtherName = await save(job({ name: 'other', data: { inviteId: 'i1' }, unique: { 'data.inviteId': 'i1' } }));
      expect(sameKeyOtherName._id, 'unique is per job name').to.not.equal(a._id);
      expect((await repo.queryJobs({ name: 'exp' })).total).to.equal(2);
    });

    it('unique matches JSON values (numbers vs strings, nested paths, whole objects, null as missing)', async () => {
      const n = await save(job({ name: 'k', data: { id: 7, deep: { x: 'y' } }, unique: { 'data.id': 7 } }));
      expect((await save(job({ name: 'k', data: { id: '7' }, unique: { 'data.id': '7' } })))._id, '"7" is not 7').to.not.equal(n._id);
      expect((await save(job({ name: 'k', data: { id: 7, deep: { x: 'y' } }, unique: { 'data.deep.x': 'y' } })))._id).to.equal(n._id);
      expect((await save(job({ name: 'k', data: { id: 7, deep: { x: 'y' } }, unique: { 'data.deep': { x: 'y' } } })))._id).to.equal(n._id);
      const missing = await save(job({ name: 'm', data: {}, unique: { 'data.key': null } }));
      expect((await save(job({ name: 'm', data: { key: null }, unique: { 'data.key': null } })))._id).to.equal(missing._id);
    });

    it('unique refuses query operators (this store compares values, it evaluates nothing)', async () => {
      for (const unique of [{ $where: '1' }, { 'data.x': { $gt: 1 } }, { 'lockedAt.x': 1 }]) {
        let failed = false;
        try {
          await save(job({ name: 'bad', unique }));
        } catch {
          failed = true;
        }
        expect(failed, JSON.stringify(unique)).to.equal(true);
      }
      expect((await repo.queryJobs({ name: 'bad' })).total).to.equal(0);
    });

    it('debounce: trailing pushes the run back on each save until maxWait; leading keeps the first time', async () => {
      const t0 = Date.now();
      const first = await save(job({ name: 'deb', data: { k: 1 }, unique: { 'data.k': 1 }, uniqueOpts: { debounce: { delay: 5000, maxWait: 60_000 } } }));
      expect(first.nextRunAt!.getTime()).to.be.within(t0 + 4900, Date.now() + 5000);
      expect(first.debounceStartedAt).to.be.instanceOf(Date);
      const second = await save(job({ name: 'deb', data: { k: 1, more: true }, unique: { 'data.k': 1 }, uniqueOpts: { debounce: { delay: 8000 } } }));
      expect(second._id).to.equal(first._id);
      expect(second.nextRunAt!.getTime()).to.be.at.least(t0 + 7900);
      expect(second.debounceStartedAt).to.deep.equal(first.debounceStartedAt);
      // maxWait counts from the first save: let it pass (the saves above may share one millisecond).
      await new Promise((resolve) => setTimeout(resolve, 5));
      const forced = await save(job({ name: 'deb', data: { k: 1 }, unique: { 'data.k': 1 }, uniqueOpts: { debounce: { delay: 8000, maxWait: 1 } } }));
      expect(forced.nextRunAt!.getTime(), 'maxWait reached: now').to.be.at.most(Date.now());
      const lead = await save(
        job({ name: 'lead', nextRunAt: new Date(t0), data: { k: 2 }, unique: { 'data.k': 2 }, uniqueOpts: { debounce: { delay: 5000, strategy: 'leading' } } }),
      );
      const lead2 = await save(
        job({
          name: 'lead',
          nextRunAt: new Date(t0 + 999),
          data: { k: 2 },
          unique: { 'data.k': 2 },
          uniqueOpts: { debounce: { delay: 5000, strategy: 'leading' } },
        }),
      );
      expect(lead.nextRunAt).to.deep.equal(new Date(t0));
      expect(lead2.nextRunAt).to.deep.equal(new Date(t0));
    });
  });

  describe('locking', () => {
    it('getNextJobToRun: the earliest due job first (then the highest priority), locked, never the same twice', async () => {
      const t = Date.now() - 10_000;
      await save(job({ name: 'r', nextRunAt: new Date(t + 2), priority: 0, data: { n: 'late' } }));
      await save(job({ name: 'r', nextRunAt: new Date(t), priority: 0, data: { n: 'low' } }));
      await save(job({ name: 'r', nextRunAt: new Date(t), priority: 10, data: { n: 'high' } }));
      await save(job({ name: 'r', nextRunAt: new Date(Date.now() + MINUTE), data: { n: 'future' } }));
      await save(job({ name: 'r', nextRunAt: new Date(t - 1), disabled: true, data: { n: 'disabled' } }));
      const order = [];
      for (let j = await next('r'); j !== undefined; j = await next('r')) {
        expect(j.lockedAt).to.be.instanceOf(Date);
        expect(j.lastModifiedBy).to.equal('node-x');
        order.push((j.data as { n: string }).n);
      }
      expect(order).to.deep.equal(['high', 'low', 'late']);
      expect((await next('r', { scanAheadMs: 2 * MINUTE }))?.data, 'within the scan window').to.deep.equal({ n: 'future' });
    });

    it('a lock older than the lock lifetime is taken over (its node died); a fresh one is not', async () => {
      await save(job({ name: 'l', nextRunAt: new Date(Date.now() - 1000) }));
      const now = Date.now();
      const first = await next('l', { now });
      expect(first).to.not.equal(undefined);
      expect(await next('l', { now: now + 500, lockLifetimeMs: 1000 })).to.equal(undefined);
      const takenOver = await next('l', { now: now + 1500, lockLifetimeMs: 1000 });
      expect(takenOver?._id).to.equal(first?._id);
      expect(takenOver?.lockedAt).to.deep.equal(new Date(now + 1500));
    });

    it('lockJob locks once; unlockJob keeps the lock of a started one-off (nextRunAt null); unlockJobs releases all', async () => {
      const saved = await save(job({ name: 'lk', nextRunAt: new Date(Date.now() - 1000) }));
      const locked = await repo.lockJob(saved, undefined);
      expect(locked?.lockedAt).to.be.instanceOf(Date);
      expect(await repo.lockJob(saved, undefined), 'already locked').to.equal(undefined);
      await repo.unlockJob(saved);
      expect((await repo.getJobById(String(saved._id)))?.lockedAt).to.equal(undefined);

      const started = await save(job({ name: 'lk2', nextRunAt: new Date(Date.now() - 1000) }));
      const run = (await next('lk2'))!;
      await repo.saveJobState({ ...run, nextRunAt: null, lastRunAt: new Date() }, undefined);
      await repo.unlockJob({ ...run, nextRunAt: null });
      expect((await repo.getJobById(String(started._id)))?.lockedAt, 'running: still locked').to.be.instanceOf(Date);
      await repo.unlockJobs([String(started._id)]);
      expect((await repo.getJobById(String(started._id)))?.lockedAt).to.equal(undefined);
    });

    it('saveJobState writes the run fields and refuses a job that is gone', async () => {
      const saved = await save(job({ name: 'st' }));
      const ran = new Date();
      await repo.saveJobState(
        { ...saved, lastRunAt: ran, lastFinishedAt: ran, failCount: 2, failReason: 'x', progress: 50, nextRunAt: null },
        { lastModifiedBy: 'n' },
      );
      expect(await repo.getJobById(String(saved._id))).to.deep.include({
        lastRunAt: ran,
        lastFinishedAt: ran,
        failCount: 2,
        failReason: 'x',
        progress: 50,
        nextRunAt: null,
        lastModifiedBy: 'n',
      });
      await repo.removeJobs({ id: saved._id });
      let failed = false;
      try {
        await repo.saveJobState(saved, undefined);
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
    });
  });

  describe('queries and bulk operations', () => {
    beforeEach(async () => {
      await save(job({ name: 'job-a', priority: 10, nextRunAt: new Date(Date.now() + MINUTE), data: { kind: 'alpha', count: 1, meta: { tag: 't' } } }));
      await save(job({ name: 'job-b', priority: 5, nextRunAt: new Date(Date.now() - MINUTE), data: { kind: 'beta', count: 2 } }));
      await save(job({ name: 'job-a', priority: 15, nextRunAt: new Date(Date.now() + 3 * MINUTE), data: { kind: 'alpha', count: 3 } }));
      await save(job({ name: 'paused', nextRunAt: new Date(Date.now() - 10), disabled: true }));
    });

    it('queryJobs filters by name(s), search, id(s), partial data, state and disabled; sorts and paginates', async () => {
      expect((await repo.queryJobs()).total).to.equal(4);
      expect((await repo.queryJobs({ name: 'job-a' })).total).to.equal(2);
      expect((await repo.queryJobs({ names: ['job-a', 'job-b'] })).total).to.equal(3);
      expect((await repo.queryJobs({ search: 'JOB-' })).total, 'case-insensitive substring').to.equal(3);
      expect((await repo.queryJobs({ data: { kind: 'alpha' } })).total).to.equal(2);
      expect((await repo.queryJobs({ data: { meta: { tag: 't' } } })).total, 'nested partial match').to.equal(1);
      expect((await repo.queryJobs({ includeDisabled: false })).total).to.equal(3);
      expect((await repo.queryJobs({ state: 'paused' })).jobs.map((j) => j.name)).to.deep.equal(['paused']);
      expect((await repo.queryJobs({ state: 'scheduled' })).total).to.equal(2);
      const page = await repo.queryJobs({ name: 'job-a', sort: { priority: 'asc' }, skip: 1, limit: 1 });
      expect(page.total).to.equal(2);
      expect(page.jobs.map((j) => j.priority)).to.deep.equal([15]);
      expect(page.jobs[0]?.state).to.equal('scheduled');
      const byId = await repo.queryJobs({ ids: page.jobs.map((j) => String(j._id)) });
      expect(byId.total).to.equal(1);
    });

    it('overview, distinct names, queue size', async () => {
      expect(await repo.getDistinctJobNames()).to.deep.equal(['job-a', 'job-b', 'paused']);
      expect(await repo.getQueueSize(), 'due now or earlier').to.equal(2);
      const overview = await repo.getJobsOverview();
      expect(overview.find((o) => o.name === 'job-a')).to.deep.include({ total: 2, scheduled: 2 });
      expect(overview.find((o) => o.name === 'paused')).to.deep.include({ total: 1, paused: 1 });
    });

    it('removeJobs / disableJobs / enableJobs by name, names, notNames, data; nothing named, nothing done', async () => {
      expect(await repo.removeJobs({})).to.equal(0);
      expect(await repo.disableJobs({ name: 'job-a' })).to.equal(2);
      expect(await repo.disableJobs({ name: 'job-a' }), 'already disabled: not modified').to.equal(0);
      expect(await repo.enableJobs({ data: { count: 3 } })).to.equal(1);
      expect(await repo.removeJobs({ notNames: ['job-a', 'paused'] })).to.equal(1);
      expect(await repo.removeJobs({ names: ['paused'] })).to.equal(1);
      expect(await repo.purgeAllJobs()).to.equal(2);
    });
  });

  describe('with agenda', () => {
    const agendaOn = (name: string, processEvery = 50) =>
      new Agenda({ backend: new SqliteAgendaBackend({ path }), name, processEvery, defaultConcurrency: 5, lockLimit: 5 });

    it('two Agenda instances on one file: 20 one-off jobs scheduled now each run exactly once', async () => {
      const runs = new Map<number, string[]>();
      const agendas = [agendaOn('one'), agendaOn('two')];
      for (const [i, ag] of agendas.entries()) {
        ag.define('count', async (j: Job<{ n: number }>) => {
          runs.set(j.attrs.data.n, [...(runs.get(j.attrs.data.n) ?? []), `agenda-${i}`]);
          await new Promise((r) => setTimeout(r, 5));
        });
      }
      await Promise.all(agendas.map((ag) => ag.start()));
      for (let n = 0; n < 20; n++) await agendas[n % 2]!.now('count', { n });
      const deadline = Date.now() + 10_000;
      while (runs.size < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up
      await Promise.all(agendas.map((ag) => ag.stop()));
      expect([...runs.keys()].sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      for (const [n, by] of runs) expect(by, `job ${n}`).to.have.length(1);
    });

    it('a one-off whose handler reschedules it (job.schedule) runs again then, and is removed only once done', async () => {
      const ag = agendaOn('again');
      const runs: number[] = [];
      ag.define(
        'retry-later',
        async (j: Job) => {
          runs.push(Date.now());
          if (runs.length === 1) j.schedule(new Date(Date.now() + 300));
        },
        { removeOnComplete: true },
      );
      await ag.start();
      await ag.now('retry-later', {});
      const deadline = Date.now() + 5000;
      while (runs.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      await ag.stop();
      expect(runs).to.have.length(2);
      expect(runs[1]! - runs[0]!).to.be.at.least(280);
      expect((await repo.queryJobs({ name: 'retry-later' })).total, 'removed after the last run').to.equal(0);
    });

    it('several processes on one file: 200 jobs, each run exactly once, the work shared', async () => {
      const workers: ChildProcess[] = ['w1', 'w2', 'w3'].map((name) => spawn(process.execPath, [WORKER, path, name], { stdio: ['ignore', 'pipe', 'inherit'] }));
      const runs: string[] = [];
      try {
        await Promise.all(
          workers.map(async (w) => {
            const lines = createInterface({ input: w.stdout! });
            const ready = once(lines, 'line');
            lines.on('line', (l) => {
              if (l !== 'ready') runs.push(l);
            });
            await ready;
          }),
        );
        const scheduler = agendaOn('scheduler-only', 60_000);
        for (let n = 0; n < 200; n++) await scheduler.now('count', { n });
        const deadline = Date.now() + 20_000;
        while (runs.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 500));
        await scheduler.stop();
      } finally {
        for (const w of workers) w.kill('SIGKILL');
        await Promise.all(workers.map((w) => (w.exitCode === null && w.signalCode === null ? once(w, 'exit') : undefined)));
      }
      const counts = new Map<string, number>();
      const byWorker = new Map<string, number>();
      for (const line of runs) {
        const [worker = '', n = ''] = line.split(' ');
        counts.set(n, (counts.get(n) ?? 0) + 1);
        byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
      }
      expect(counts.size, 'every job ran').to.equal(200);
      expect(
        [...counts.entries()].filter(([, c]) => c !== 1),
        'jobs that ran more than once',
      ).to.deep.equal([]);
      expect(byWorker.size, `work shared: ${JSON.stringify([...byWorker])}`).to.be.at.least(2);
    });

    it('without MONGODB_URL the scheduler stores are this backend and the leases, on DATA_DIR/scheduler.db', async () => {
      const stores = await openSchedulerStores(loadConfig({ DATA_DIR: dir }));
      await stores.agenda.now('probe', { x: 1 });
      expect((await repo.queryJobs({ name: 'probe' })).total, 'same file').to.equal(1);
      await stores.leases.renew('n1', new Date(0));
      expect(await stores.leases.lapsed(new Date(1))).to.deep.equal(['n1']);
      await stores.close();
    });
  });
});
