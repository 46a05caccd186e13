/**
 * Scheduled jobs as application code: what runs, not how it is stored or locked. The scheduler
 * adapter (agenda) runs each job once across nodes; handlers are idempotent anyway, because a
 * node can die after the work and before the job is marked done, and the job then runs again.
 */

export const JOB_NAMES = {
  expireInvitation: 'expire-invitation',
  endGame: 'end-game',
  presenceSweep: 'presence-sweep',
  nodeLeases: 'node-leases',
} as const;

export interface JobContext {
  /** Ties the events a run appends together in their metadata. */
  readonly correlationId: string;
  /**
   * "Still alive": a long run calls it as it goes (cheap: the adapter throttles it), or its lock
   * would outlive its lifetime and another node would start the same job.
   */
  touch(): Promise<void>;
}

/** A one-off run may ask to run again later (e.g. it found the clock of the scheduling node ahead of its own). */
export type JobResult = void | { readonly runAgainAt: Date };

export interface OneOffJob {
  readonly name: string;
  /** Runs of this job at once on one node; the adapter's default when absent. */
  readonly concurrency?: number;
  /** `data` is the stored job's data: JSON from the job store, checked by the handler. */
  run(data: unknown, ctx: JobContext): Promise<JobResult>;
}

export interface RecurringJob {
  readonly name: string;
  readonly everyMs: number;
  /** How long a run may hold the job without touching it; the adapter's default when absent. */
  readonly lockLifetimeMs?: number;
  run(ctx: JobContext): Promise<void>;
}

export const stringField = (data: unknown, key: string): string | undefined => {
  if (typeof data !== 'object' || data === null || !(key in data)) return undefined;
  const value: unknown = (data as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};
