import { randomUUID } from 'node:crypto';
import { exponential, type Agenda, type Job } from 'agenda';
import type { Logger } from 'pino';
import type { CommandDeps } from '../../application/shared/deps.js';
import type { NodeLeases } from '../../application/ports/node-leases.js';
import type { ReactorCheckpoints } from '../../application/ports/reactor-checkpoints.js';
import type { Scheduler } from '../../application/ports/scheduler.js';
import { JOB_NAMES, type JobContext, type OneOffJob, type RecurringJob } from '../../application/scheduling/job.js';
import { jobCatalogue } from '../../application/scheduling/jobs.js';
import { LeaseKeeper } from '../../application/presence/lease-keeper.js';
import type { Config } from '../config/config.js';
import { openSchedulerStores, type SchedulerStores } from './create-agenda.js';

/** How long a clean stop waits for jobs in progress before closing the job store under them. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * A one-off that failed (store unreachable, conflicts exhausted) runs again after 1 s, 2 s, 4 s…
 * rather than waiting for the sweep's safety net; after that, the safety net it is.
 */
const ONE_OFF_RETRY = exponential({ delay: 1000, maxDelay: 60_000, maxRetries: 6 });

export interface Scheduling {
  /** For CommandDeps: usable before `start` (jobs are stored, and run once a node starts). */
  readonly scheduler: Scheduler;
  /** Checkpoints and leases of the reactors, in the same store as the jobs. */
  readonly reactorCheckpoints: ReactorCheckpoints;
  /** Takes this node's lease, defines the jobs and starts processing. */
  start(deps: CommandDeps): Promise<void>;
  /** Releases the lease, stops taking jobs, lets running ones finish, closes the stores. */
  stop(options?: { readonly releaseLease?: boolean }): Promise<void>;
}

/** Ids of the runs in progress on this node, from agenda's own start/complete events. */
class RunningJobs {
  private readonly ids = new Set<string>();

  constructor(agenda: Agenda) {
    agenda.on('start', (job: Job) => this.ids.add(String(job.attrs._id)));
    agenda.on('complete', (job: Job) => this.ids.delete(String(job.attrs._id)));
  }

  /** Until none runs: 'complete' comes after the run's final state was saved, so the store may then close. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.ids.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ids.size === 0;
  }
}

class AgendaScheduling implements Scheduling {
  readonly scheduler: Scheduler;
  readonly reactorCheckpoints: ReactorCheckpoints;
  private readonly running: RunningJobs;
  private readonly keeper: LeaseKeeper;
  private readonly agenda: Agenda;
  private readonly leases: NodeLeases;
  private started = false;

  constructor(
    private readonly config: Config,
    private readonly stores: SchedulerStores,
    private readonly logger: Logger,
  ) {
    const { agenda, leases } = stores;
    this.agenda = agenda;
    this.leases = leases;
    this.reactorCheckpoints = stores.reactors;
    this.running = new RunningJobs(agenda);
    this.keeper = new LeaseKeeper(
      leases,
      config.nodeId,
      config.presence.leaseTtlMs,
      () => new Date(),
      (err) => logger.warn({ err }, 'node lease renewal failed'),
    );
    agenda.on('fail', (err: unknown, job: Job) => logger.warn({ err, job: job.attrs.name, data: job.attrs.data }, 'scheduled job failed'));
    agenda.on('error', (err: unknown) => logger.error({ err }, 'scheduler error'));
    this.scheduler = {
      scheduleInvitationExpiry: (inviteId, at) => this.scheduleOnce(JOB_NAMES.expireInvitation, 'inviteId', inviteId, at),
      scheduleGameEnd: (gameId, at, inviteId) => this.scheduleOnce(JOB_NAMES.endGame, 'gameId', gameId, at, { inviteId }),
    };
  }

  /**
   * One job per invitation or game, whoever asks and however often: unique on the id, insert-only
   * so a repeat never moves the time. A failure rejects: the reactor that asked retries.
   */
  private async scheduleOnce(name: string, key: string, id: string, at: Date, extra: Record<string, string> = {}): Promise<void> {
    await this.agenda
      .create(name, { ...extra, [key]: id })
      .unique({ [`data.${key}`]: id }, { insertOnly: true })
      .schedule(at)
      .save();
  }

  /** The lock of a run is extended at most every quarter of its lifetime, however often the handler asks. */
  private contextOf(job: Job, lockLifetimeMs: number): JobContext {
    let touchedAt = Date.now();
    return {
      correlationId: randomUUID(),
      touch: async () => {
        if (Date.now() - touchedAt < lockLifetimeMs / 4) return;
        touchedAt = Date.now();
        await job.touch();
      },
    };
  }

  private defineOneOff(def: OneOffJob): void {
    const lockLifetime = this.config.scheduler.lockLifetimeMs;
    this.agenda.define(
      def.name,
      async (job: Job) => {
        const result = await def.run(job.attrs.data, this.contextOf(job, lockLifetime));
        // agenda saves the run's state after the handler: a new nextRunAt set now is kept, and
        // unlocked, so the same job runs again then.
        if (result !== undefined) job.schedule(result.runAgainAt);
      },
      // Done one-offs are deleted so that the table (and each unique lookup) stays small.
      { lockLifetime, removeOnComplete: true, backoff: ONE_OFF_RETRY, ...(def.concurrency === undefined ? {} : { concurrency: def.concurrency }) },
    );
  }

  private defineRecurring(def: RecurringJob): void {
    const lockLifetime = def.lockLifetimeMs ?? this.config.scheduler.lockLifetimeMs;
    // concurrency 1: a slow run on this node is not overlapped by the next one on the same node.
    this.agenda.define(def.name, (job: Job) => def.run(this.contextOf(job, lockLifetime)), { lockLifetime, concurrency: 1 });
  }

  async start(deps: CommandDeps): Promise<void> {
    const { config } = this;
    await this.keeper.start();
    const catalogue = jobCatalogue(deps, this.leases, {
      nodeId: config.nodeId,
      sweepIntervalMs: config.presence.sweepIntervalMs,
      inactivityThresholdMs: config.presence.inactivityThresholdMs,
      leaseTtlMs: config.presence.leaseTtlMs,
      processEveryMs: config.scheduler.processEveryMs,
    });
    catalogue.oneOff.forEach((def) => this.defineOneOff(def));
    catalogue.recurring.forEach((def) => this.defineRecurring(def));
    await this.agenda.start();
    this.started = true;
    // `every` upserts one "single" job per name: each node declares it, the store keeps one.
    for (const def of catalogue.recurring) await this.agenda.every(def.everyMs, def.name);
  }

  async stop(options: { readonly releaseLease?: boolean } = {}): Promise<void> {
    await this.keeper.stop(options.releaseLease ?? true);
    // Stops polling and unlocks the jobs this node had queued but not started, for other nodes
    // to take at once; the connection stays open for the runs still in progress.
    if (this.started) await this.agenda.stop(false);
    if (!(await this.running.drained(DRAIN_TIMEOUT_MS))) this.logger.warn('scheduled jobs still running at shutdown: their locks will lapse');
    await this.stores.close();
  }
}

export const openScheduling = async (config: Config, logger: Logger): Promise<Scheduling> => {
  return new AgendaScheduling(config, await openSchedulerStores(config), logger);
};
