import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  computeJobState,
  type JobId,
  type JobParameters,
  type JobRepository,
  type JobRepositoryOptions,
  type JobsOverview,
  type JobsQueryOptions,
  type JobsResult,
  type JobWithState,
  type RemoveJobsOptions,
  type SortDirection,
} from 'agenda';
import { DEFAULT_QUERY_ORDER, addDataFilter, emptyWhere, inList, orderBy, selectionOf, whereSql } from './sqlite-job-filters.js';
import { JOBS_SCHEMA, processorColumns, rowToJob, toMs, type JobRow, type SqlValue } from './sqlite-job-rows.js';
import { saveJobRow, type JobRows } from './sqlite-job-save.js';

export interface SqliteJobRepositoryOptions {
  /** e.g. `${DATA_DIR}/scheduler.db`; every node on this data directory opens the same file. */
  readonly path: string;
  /** Which due job is locked first; the Mongo backend's default. */
  readonly sort?: Readonly<Record<string, SortDirection>>;
  /** How long a write waits for another process's write lock. */
  readonly busyTimeoutMs?: number;
}

/**
 * agenda's JobRepository on SQLite, with the Mongo backend's semantics. Every read-then-write runs
 * in a `BEGIN IMMEDIATE` transaction: it takes SQLite's write lock before reading, so two
 * processes on one file serialise on it and cannot both lock the same job or both insert the same
 * unique job (better-sqlite3 is synchronous, so a transaction never spans an await either).
 */
export class SqliteJobRepository implements JobRepository {
  private db: Database.Database | undefined;
  private statements = new Map<string, Database.Statement<SqlValue[]>>();
  private readonly lockOrder: string;

  constructor(private readonly options: SqliteJobRepositoryOptions) {
    this.lockOrder = orderBy(options.sort ?? { nextRunAt: 'asc', priority: 'desc' }, 'next_run_at ASC, priority DESC');
    // Opened now rather than in connect(): agenda calls connect() from its constructor without
    // handling a rejection, so a bad path must fail here, where the caller sees it.
    this.open();
  }

  private open(): Database.Database {
    if (this.db !== undefined) return this.db;
    if (this.options.path !== ':memory:') mkdirSync(dirname(this.options.path), { recursive: true });
    const db = new Database(this.options.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(this.options.busyTimeoutMs ?? 5000))}`);
      // A job write lost to a power cut is a job rescheduled by the sweep's safety net.
      db.pragma('synchronous = NORMAL');
      db.exec(JOBS_SCHEMA);
    } catch (e) {
      db.close();
      throw e;
    }
    this.db = db;
    return db;
  }

  async connect(): Promise<void> {
    this.open();
  }

  async disconnect(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.statements = new Map();
  }

  private stmt(sql: string): Database.Statement<SqlValue[]> {
    const db = this.db;
    if (db === undefined) throw new Error('SQLite job repository is not connected');
    let s = this.statements.get(sql);
    if (s === undefined) {
      // Filters make the SQL vary; a bounded cache keeps the common shapes prepared.
      if (this.statements.size >= 256) this.statements.clear();
      s = db.prepare<SqlValue[]>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Row access for the save logic, which runs inside this repository's transactions. */
  private readonly rows: JobRows = {
    one: (sql, params) => this.one(sql, params),
  };

  private all(sql: string, params: readonly SqlValue[] = []): JobRow[] {
    return this.stmt(sql).all(...params) as JobRow[];
  }

  private one(sql: string, params: readonly SqlValue[] = []): JobRow | undefined {
    return this.stmt(sql).get(...params) as JobRow | undefined;
  }

  private run(sql: string, params: readonly SqlValue[] = []): number {
    return this.stmt(sql).run(...params).changes;
  }

  private immediate<T>(f: () => T): T {
    const db = this.db;
    if (db === undefined) throw new Error('SQLite job repository is not connected');
    return db.transaction(f).immediate();
  }

  async getJobById(id: string): Promise<JobParameters | null> {
    const row = this.one('SELECT * FROM agenda_jobs WHERE id = ?', [id]);
    return row === undefined ? null : rowToJob(row);
  }

  async queryJobs(options: JobsQueryOptions = {}): Promise<JobsResult> {
    const { name, names, state, id, ids, search, data, includeDisabled = true, sort, skip = 0, limit = 0 } = options;
    const now = new Date();
    const w = emptyWhere();
    const push = ([sql, param]: [string, string]) => {
      w.conditions.push(sql);
      w.params.push(param);
    };
    // As in the Mongo backend, a search replaces the name filter rather than narrowing it.
    if (typeof search === 'string' && search.length > 0) {
      w.conditions.push('instr(lower(name), lower(?)) > 0');
      w.params.push(search);
    } else if (typeof name === 'string' && name !== '') push(inList('name', [name]));
    else if (names !== undefined && names.length > 0)
      push(
        inList(
          'name',
          names.filter((n) => typeof n === 'string'),
        ),
      );
    if (typeof id === 'string' && id !== '') push(inList('id', [id]));
    else if (ids !== undefined && ids.length > 0) push(inList('id', ids));
    if (data !== undefined) addDataFilter(w, data);
    if (!includeDisabled) w.conditions.push('disabled IS NOT 1');
    const select = `SELECT * FROM agenda_jobs ${whereSql(w)} ORDER BY ${orderBy(sort, DEFAULT_QUERY_ORDER)}`;
    const withState = (row: JobRow): JobWithState => {
      const job = rowToJob(row);
      return { ...job, _id: job._id as JobId, state: computeJobState(job, now) };
    };
    if (state === undefined) {
      // No state filter: the database paginates.
      const total = this.stmt(`SELECT COUNT(*) FROM agenda_jobs ${whereSql(w)}`)
        .pluck()
        .get(...w.params) as number;
      const page = [limit > 0 ? Math.trunc(limit) : -1, Math.max(0, Math.trunc(skip))];
      return { jobs: this.all(`${select} LIMIT ? OFFSET ?`, [...w.params, ...page]).map(withState), total };
    }
    // The state is computed from several fields, so the filter and the pagination happen here.
    const matching = this.all(select, w.params)
      .map(withState)
      .filter((j) => (state === 'paused' ? j.disabled === true : j.state === state));
    const jobs = limit > 0 ? matching.slice(skip, skip + limit) : matching.slice(skip);
    return { jobs, total: matching.length };
  }

  async getJobsOverview(): Promise<JobsOverview[]> {
    const now = new Date();
    const overviews = new Map<string, JobsOverview>();
    for (const row of this.all('SELECT * FROM agenda_jobs ORDER BY name')) {
      const job = rowToJob(row);
      let o = overviews.get(job.name);
      if (o === undefined) {
        o = { name: job.name, total: 0, running: 0, scheduled: 0, queued: 0, completed: 0, failed: 0, repeating: 0, paused: 0 };
        overviews.set(job.name, o);
      }
      o.total += 1;
      o[computeJobState(job, now)] += 1;
      if (job.disabled === true) o.paused += 1;
    }
    return [...overviews.values()];
  }

  async getDistinctJobNames(): Promise<string[]> {
    return this.stmt('SELECT DISTINCT name FROM agenda_jobs ORDER BY name').pluck().all() as string[];
  }

  async getQueueSize(): Promise<number> {
    return this.stmt('SELECT COUNT(*) FROM agenda_jobs WHERE next_run_at < ?').pluck().get(Date.now()) as number;
  }

  async removeJobs(options: RemoveJobsOptions): Promise<number> {
    const w = selectionOf(options);
    return w === undefined ? 0 : this.run(`DELETE FROM agenda_jobs ${whereSql(w)}`, w.params);
  }

  /** Counts the jobs whose flag changed, as Mongo's `modifiedCount` does. */
  private setDisabled(options: RemoveJobsOptions, disabled: 0 | 1): number {
    const w = selectionOf(options);
    if (w === undefined) return 0;
    return this.run(`UPDATE agenda_jobs SET disabled = ${disabled} ${whereSql(w)} AND disabled IS NOT ${disabled}`, w.params);
  }

  async disableJobs(options: RemoveJobsOptions): Promise<number> {
    return this.setDisabled(options, 1);
  }

  async enableJobs(options: RemoveJobsOptions): Promise<number> {
    return this.setDisabled(options, 0);
  }

  async purgeAllJobs(): Promise<number> {
    return this.run('DELETE FROM agenda_jobs');
  }

  async saveJob<DATA = unknown>(job: JobParameters<DATA>, options: JobRepositoryOptions | undefined): Promise<JobParameters<DATA>> {
    const saved = this.immediate(() => saveJobRow(this.rows, job as JobParameters, options?.lastModifiedBy));
    return (saved ?? job) as JobParameters<DATA>;
  }

  async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    if (job._id === undefined) throw new Error('Cannot save job state without job ID');
    const c = processorColumns(job);
    const changed = this.run(
      `UPDATE agenda_jobs SET locked_at = ?, next_run_at = ?, last_run_at = ?, progress = ?, fail_reason = ?, fail_count = ?, failed_at = ?,
         last_finished_at = ?, last_modified_by = ?
       WHERE id = ? AND name = ?`,
      [
        ...[c.locked_at, toMs(job.nextRunAt), c.last_run_at, c.progress, c.fail_reason, c.fail_count, c.failed_at, c.last_finished_at].map((v) => v ?? null),
        options?.lastModifiedBy ?? null,
        job._id,
        job.name,
      ],
    );
    if (changed !== 1) throw new Error(`job ${job._id} (name: ${job.name}) cannot be updated in the database, maybe it does not exist anymore?`);
  }

  async lockJob(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<JobParameters | undefined> {
    const id = job._id;
    if (id === undefined) return undefined;
    const row = this.immediate(() =>
      this.one(
        `UPDATE agenda_jobs SET locked_at = ?, last_modified_by = ?
         WHERE id = ? AND name = ? AND locked_at IS NULL AND next_run_at IS ? AND disabled IS NOT 1 RETURNING *`,
        [Date.now(), options?.lastModifiedBy ?? null, id, job.name, toMs(job.nextRunAt)],
      ),
    );
    return row === undefined ? undefined : rowToJob(row);
  }

  async unlockJob(job: JobParameters): Promise<void> {
    // A one-off job that started has nextRunAt null: its lock is its run's, not a queue slot's.
    if (job._id !== undefined) this.run('UPDATE agenda_jobs SET locked_at = NULL WHERE id = ? AND next_run_at IS NOT NULL', [job._id]);
  }

  async unlockJobs(jobIds: readonly (JobId | string)[]): Promise<void> {
    if (jobIds.length === 0) return;
    const [sql, param] = inList('id', jobIds);
    this.run(`UPDATE agenda_jobs SET locked_at = NULL WHERE ${sql}`, [param]);
  }

  /**
   * The job processor's "find and lock": the first due and unlocked job of `jobName`, or one
   * whose lock outlived `lockDeadline` (its node died or stalled), locked in the same immediate
   * transaction that found it.
   */
  async getNextJobToRun(
    jobName: string,
    nextScanAt: Date,
    lockDeadline: Date,
    now: Date | undefined,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters | undefined> {
    const lockTime = (now ?? new Date()).getTime();
    const row = this.immediate(() =>
      this.one(
        `UPDATE agenda_jobs SET locked_at = ?, last_modified_by = ?
         WHERE id = (
           SELECT id FROM agenda_jobs
           WHERE name = ? AND disabled IS NOT 1
             AND ((locked_at IS NULL AND next_run_at <= ?) OR locked_at <= ?)
           ORDER BY ${this.lockOrder} LIMIT 1)
         RETURNING *`,
        [lockTime, options?.lastModifiedBy ?? null, jobName, nextScanAt.getTime(), lockDeadline.getTime()],
      ),
    );
    return row === undefined ? undefined : rowToJob(row);
  }
}
