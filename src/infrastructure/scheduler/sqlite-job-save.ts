import { randomUUID } from 'node:crypto';
import type { JobParameters } from 'agenda';
import { addUnique, whereSql, type Where } from './sqlite-job-filters.js';
import { definitionColumns, processorColumns, rowToJob, type JobRow, type SqlValue } from './sqlite-job-rows.js';

/** What the save logic needs from the repository: statements run inside its immediate transaction. */
export interface JobRows {
  one(sql: string, params: readonly SqlValue[]): JobRow | undefined;
}

type Columns = Record<string, SqlValue>;

const insert = (rows: JobRows, columns: Columns): JobRow => {
  const all: Columns = { id: randomUUID(), ...columns };
  const names = Object.keys(all);
  const row = rows.one(`INSERT INTO agenda_jobs (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) RETURNING *`, Object.values(all));
  if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
  return row;
};

const update = (rows: JobRows, id: string, columns: Columns): JobRow | undefined => {
  const names = Object.keys(columns);
  return rows.one(`UPDATE agenda_jobs SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ? RETURNING *`, [...Object.values(columns), id]);
};

/**
 * `saveJob` as the Mongo backend does it, run by the repository inside one immediate transaction:
 * by id (update), 'single' (upsert by name), `unique` (upsert by the unique query, insert-only or
 * debounced), else insert. Processor-managed fields are only written on insert (see
 * `processorColumns`). undefined: the job had an id but is gone (removed meanwhile), and the
 * caller returns it unchanged.
 */
export const saveJobRow = (rows: JobRows, job: JobParameters, lastModifiedBy: string | undefined): JobParameters | undefined => {
  const { _id, unique, uniqueOpts } = job;
  const definition = definitionColumns(job, lastModifiedBy);
  const now = Date.now();
  if (_id !== undefined) {
    const row = rows.one('SELECT id FROM agenda_jobs WHERE id = ? AND name = ?', [_id, job.name]);
    const updated = row === undefined ? undefined : update(rows, row.id, definition);
    return updated === undefined ? undefined : rowToJob(updated);
  }
  if (job.type === 'single') {
    const existing = rows.one(`SELECT * FROM agenda_jobs WHERE name = ? AND type = 'single'`, [job.name]);
    if (existing === undefined) return rowToJob(insert(rows, { ...definition, ...processorColumns(job) }));
    // A due or overdue time is not pushed back by a node re-declaring the job at start-up.
    const { next_run_at, ...rest } = definition;
    const protect = next_run_at !== null && next_run_at <= now;
    return rowToJob(update(rows, existing.id, protect ? rest : definition) ?? existing);
  }
  if (unique !== undefined) {
    const w: Where = { conditions: ['name = ?'], params: [job.name] };
    addUnique(w, unique);
    const existing = rows.one(`SELECT * FROM agenda_jobs ${whereSql(w)} ORDER BY rowid LIMIT 1`, w.params);
    const debounce = uniqueOpts?.debounce;
    if (debounce === undefined) {
      if (existing === undefined) return rowToJob(insert(rows, { ...definition, ...processorColumns(job) }));
      if (uniqueOpts?.insertOnly === true) return rowToJob(existing);
      return rowToJob(update(rows, existing.id, definition) ?? existing);
    }
    if (existing === undefined) {
      // Leading: run at the time asked; trailing: after the quiet period.
      const next_run_at = debounce.strategy === 'leading' ? definition.next_run_at : now + debounce.delay;
      return rowToJob(insert(rows, { ...definition, ...processorColumns(job), next_run_at, debounce_started_at: now }));
    }
    const startedAt = existing.debounce_started_at ?? now;
    if (debounce.strategy === 'leading') {
      return rowToJob(update(rows, existing.id, { ...definition, next_run_at: existing.next_run_at, debounce_started_at: startedAt }) ?? existing);
    }
    const waitedOut = debounce.maxWait !== undefined && debounce.maxWait > 0 && now - startedAt >= debounce.maxWait;
    const next = waitedOut ? { next_run_at: now, debounce_started_at: null } : { next_run_at: now + debounce.delay, debounce_started_at: startedAt };
    return rowToJob(update(rows, existing.id, { ...definition, ...next }) ?? existing);
  }
  return rowToJob(insert(rows, { ...definition, ...processorColumns(job) }));
};
