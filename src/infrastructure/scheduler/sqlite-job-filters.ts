import type { RemoveJobsOptions, SortDirection } from 'agenda';
import { toFlag, toJsonText, toMs, type SqlValue } from './sqlite-job-rows.js';

/** A conjunction of SQL conditions and their parameters. */
export interface Where {
  readonly conditions: string[];
  readonly params: SqlValue[];
}

export const emptyWhere = (): Where => ({ conditions: [], params: [] });
export const whereSql = (w: Where): string => (w.conditions.length === 0 ? '' : `WHERE ${w.conditions.join(' AND ')}`);

/** Top-level job fields that a `unique` key or a sort may name, with how their values are stored. */
const FIELDS: Readonly<Record<string, { readonly column: string; readonly encode: (v: unknown) => SqlValue }>> = {
  name: { column: 'name', encode: (v) => String(v) },
  type: { column: 'type', encode: (v) => String(v) },
  priority: { column: 'priority', encode: (v) => Number(v) },
  nextRunAt: { column: 'next_run_at', encode: toMs },
  lockedAt: { column: 'locked_at', encode: toMs },
  lastRunAt: { column: 'last_run_at', encode: toMs },
  lastFinishedAt: { column: 'last_finished_at', encode: toMs },
  failedAt: { column: 'failed_at', encode: toMs },
  repeatInterval: { column: 'repeat_interval', encode: toJsonText },
  repeatAt: { column: 'repeat_at', encode: (v) => String(v) },
  repeatTimezone: { column: 'repeat_timezone', encode: (v) => String(v) },
  disabled: { column: 'disabled', encode: toFlag },
  fork: { column: 'fork', encode: toFlag },
  lastModifiedBy: { column: 'last_modified_by', encode: (v) => String(v) },
  data: { column: 'data', encode: toJsonText },
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * A `$.a.b` JSON path with every segment quoted. Mongo would also read a numeric segment as an
 * array index; job data here is keyed by names, so segments are always object keys.
 */
const jsonPath = (segments: readonly string[]): string => {
  for (const s of segments) if (s === '' || s.includes('"')) throw new Error(`unsupported job data path segment: ${JSON.stringify(s)}`);
  return '$' + segments.map((s) => `."${s}"`).join('');
};

/** Rejects query operators: Mongo would evaluate them, this store compares values only. */
const assertNoOperators = (key: string, value: unknown): void => {
  if (key.startsWith('$')) throw new Error(`unsupported operator ${key} in a job query`);
  if (Array.isArray(value)) value.forEach((v) => assertNoOperators('', v));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) assertNoOperators(k, v);
};

/**
 * `key = value` with Mongo's meaning for the cases agenda uses: a dotted `data.…` path compares
 * JSON values (SQLite's `json()` normalises both sides), and null matches null or missing.
 */
const addEquality = (w: Where, key: string, value: unknown): void => {
  assertNoOperators(key, value);
  const missing = value === null || value === undefined;
  const [head, ...rest] = key.split('.');
  if (head === 'data') {
    // The whole document, or one value inside it; JSON compared as JSON, not as text.
    const target = rest.length === 0 ? 'json(data)' : '(data -> ?)';
    const path = rest.length === 0 ? [] : [jsonPath(rest)];
    w.conditions.push(missing ? `(${target} IS NULL OR ${target} = 'null')` : `${target} = json(?)`);
    w.params.push(...(missing ? [...path, ...path] : [...path, JSON.stringify(value)]));
    return;
  }
  const field = rest.length === 0 && head !== undefined ? FIELDS[head] : undefined;
  if (field === undefined) throw new Error(`unsupported job field in a query: ${key}`);
  const encoded = missing ? null : field.encode(value);
  w.conditions.push(encoded === null ? `${field.column} IS NULL` : `${field.column} = ?`);
  if (encoded !== null) w.params.push(encoded);
};

/** A `unique()` query object: every key must match (Mongo's implicit AND). */
export const addUnique = (w: Where, unique: Readonly<Record<string, unknown>>): void => {
  for (const [key, value] of Object.entries(unique)) addEquality(w, key, value);
};

/**
 * A `data` filter as the Mongo backend reads it: a plain object matches partially (flattened to
 * dotted paths, nested objects included); anything else must equal `data` as a whole.
 */
export const addDataFilter = (w: Where, data: unknown, prefix = 'data'): void => {
  if (!isPlainObject(data)) return addEquality(w, prefix, data);
  for (const [k, v] of Object.entries(data)) {
    if (isPlainObject(v)) addDataFilter(w, v, `${prefix}.${k}`);
    else addEquality(w, `${prefix}.${k}`, v);
  }
};

/** A list parameter: bound once as JSON, so any number of ids or names takes one placeholder. */
export const inList = (column: string, values: readonly unknown[], negate = false): [string, string] => [
  `${column} ${negate ? 'NOT IN' : 'IN'} (SELECT value FROM json_each(?))`,
  JSON.stringify(values.map(String)),
];

/**
 * The selection of `removeJobs`, `disableJobs` and `enableJobs`; undefined when it names nothing,
 * since no criteria must never mean "every job".
 */
export const selectionOf = (o: RemoveJobsOptions): Where | undefined => {
  const w = emptyWhere();
  const push = ([sql, param]: [string, string]) => {
    w.conditions.push(sql);
    w.params.push(param);
  };
  if (o.id !== undefined && o.id !== '') push(inList('id', [o.id]));
  else if (o.ids !== undefined && o.ids.length > 0) push(inList('id', o.ids));
  if (typeof o.name === 'string' && o.name !== '') push(inList('name', [o.name]));
  else if (o.names !== undefined && o.names.length > 0)
    push(
      inList(
        'name',
        o.names.filter((n) => typeof n === 'string'),
      ),
    );
  else if (o.notNames !== undefined && o.notNames.length > 0)
    push(
      inList(
        'name',
        o.notNames.filter((n) => typeof n === 'string'),
        true,
      ),
    );
  if (o.data !== undefined) addDataFilter(w, o.data);
  return w.conditions.length === 0 ? undefined : w;
};

const direction = (d: SortDirection): 'ASC' | 'DESC' => (d === 'asc' ? 'ASC' : 'DESC');

/**
 * ORDER BY for a sort spec. SQLite, like Mongo, sorts NULL lowest: first ascending, last
 * descending, so the order of jobs without a date is the one Mongo gives.
 */
export const orderBy = (sort: object | undefined, fallback: string): string => {
  const parts = Object.entries(sort ?? {}).flatMap(([key, d]: [string, unknown]) => {
    if (d === undefined) return [];
    const field = FIELDS[key];
    if (field === undefined || (d !== 'asc' && d !== 'desc')) throw new Error(`unsupported job sort: ${key} ${String(d)}`);
    return [`${field.column} ${direction(d)}`];
  });
  return parts.length > 0 ? parts.join(', ') : fallback;
};

/** queryJobs' default, as the Mongo backend's: most recently due first. */
export const DEFAULT_QUERY_ORDER = 'next_run_at DESC, last_run_at DESC';
