import { toJobId, type JobParameters } from 'agenda';

export type SqlValue = string | number | null;

/**
 * One row per job. Dates are epoch milliseconds (so they compare as numbers), structured values
 * are JSON text. `disabled` and `fork` keep null apart from false, as the Mongo backend does: a
 * `disabled: false` query must not match a job that never said.
 */
export const JOBS_SCHEMA = `
CREATE TABLE IF NOT EXISTS agenda_jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  priority REAL NOT NULL DEFAULT 0,
  next_run_at INTEGER,
  type TEXT NOT NULL,
  locked_at INTEGER,
  last_run_at INTEGER,
  last_finished_at INTEGER,
  failed_at INTEGER,
  fail_count INTEGER,
  fail_reason TEXT,
  repeat_timezone TEXT,
  repeat_interval TEXT,
  repeat_at TEXT,
  data TEXT NOT NULL,
  disabled INTEGER,
  progress REAL,
  debounce_started_at INTEGER,
  fork INTEGER,
  start_date INTEGER,
  end_date INTEGER,
  skip_days TEXT,
  last_modified_by TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS agenda_jobs_due ON agenda_jobs (name, next_run_at, priority DESC);
CREATE INDEX IF NOT EXISTS agenda_jobs_locked ON agenda_jobs (name, locked_at);
-- "single" jobs (every) exist once per name: enforced, not just hoped for by the upsert.
CREATE UNIQUE INDEX IF NOT EXISTS agenda_jobs_single ON agenda_jobs (name) WHERE type = 'single';
`;

export interface JobRow {
  readonly id: string;
  readonly name: string;
  readonly priority: number;
  readonly next_run_at: number | null;
  readonly type: string;
  readonly locked_at: number | null;
  readonly last_run_at: number | null;
  readonly last_finished_at: number | null;
  readonly failed_at: number | null;
  readonly fail_count: number | null;
  readonly fail_reason: string | null;
  readonly repeat_timezone: string | null;
  readonly repeat_interval: string | null;
  readonly repeat_at: string | null;
  readonly data: string;
  readonly disabled: number | null;
  readonly progress: number | null;
  readonly debounce_started_at: number | null;
  readonly fork: number | null;
  readonly start_date: number | null;
  readonly end_date: number | null;
  readonly skip_days: string | null;
  readonly last_modified_by: string | null;
}

/** Dates arrive as Date (agenda), or as strings/numbers when a job went through JSON (fork mode). */
export const toMs = (v: unknown): number | null => {
  if (v === undefined || v === null) return null;
  const t = v instanceof Date ? v.getTime() : typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : Number.NaN;
  if (Number.isNaN(t)) throw new TypeError(`not a date: ${String(v)}`);
  return t;
};

export const toFlag = (v: unknown): number | null => (v === undefined || v === null ? null : v ? 1 : 0);
export const toJsonText = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

const date = (v: number | null): Date | undefined => (v === null ? undefined : new Date(v));
const flag = (v: number | null): boolean | undefined => (v === null ? undefined : v === 1);
const parsed = <T>(v: string | null): T | undefined => (v === null ? undefined : (JSON.parse(v) as T));

export const rowToJob = (r: JobRow): JobParameters => ({
  _id: toJobId(r.id),
  name: r.name,
  priority: r.priority,
  nextRunAt: r.next_run_at === null ? null : new Date(r.next_run_at),
  type: r.type === 'single' ? 'single' : 'normal',
  data: JSON.parse(r.data) as unknown,
  lockedAt: date(r.locked_at),
  lastRunAt: date(r.last_run_at),
  lastFinishedAt: date(r.last_finished_at),
  failedAt: date(r.failed_at),
  failCount: r.fail_count ?? undefined,
  failReason: r.fail_reason ?? undefined,
  repeatTimezone: r.repeat_timezone ?? undefined,
  repeatInterval: parsed<string | number>(r.repeat_interval),
  repeatAt: r.repeat_at ?? undefined,
  disabled: flag(r.disabled),
  progress: r.progress ?? undefined,
  debounceStartedAt: date(r.debounce_started_at),
  fork: flag(r.fork),
  startDate: date(r.start_date),
  endDate: date(r.end_date),
  skipDays: parsed<number[]>(r.skip_days),
  lastModifiedBy: r.last_modified_by ?? undefined,
});

/** What a job's owner defines (written by `saveJob`); `data` undefined is stored as null, as Mongo does. */
export const definitionColumns = (job: JobParameters, lastModifiedBy: string | undefined) => ({
  name: job.name,
  priority: job.priority ?? 0,
  next_run_at: toMs(job.nextRunAt),
  type: job.type,
  repeat_timezone: job.repeatTimezone ?? null,
  repeat_interval: toJsonText(job.repeatInterval),
  repeat_at: job.repeatAt ?? null,
  data: JSON.stringify(job.data ?? null),
  disabled: toFlag(job.disabled),
  debounce_started_at: toMs(job.debounceStartedAt),
  fork: toFlag(job.fork),
  start_date: toMs(job.startDate),
  end_date: toMs(job.endDate),
  skip_days: toJsonText(job.skipDays),
  last_modified_by: lastModifiedBy ?? null,
});

/**
 * What the job processor manages (agenda's `Job.PROCESSOR_MANAGED_FIELDS`): written on insert and
 * by `saveJobState`, never by an update through `saveJob`, so that a node re-declaring `every()`
 * at start-up cannot release the lock of a run in progress on another node.
 */
export const processorColumns = (job: JobParameters) => ({
  locked_at: toMs(job.lockedAt),
  last_run_at: toMs(job.lastRunAt),
  last_finished_at: toMs(job.lastFinishedAt),
  failed_at: toMs(job.failedAt),
  fail_count: job.failCount ?? null,
  fail_reason: job.failReason ?? null,
  progress: job.progress ?? null,
});
