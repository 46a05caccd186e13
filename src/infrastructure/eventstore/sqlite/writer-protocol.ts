import type { AppendOutcome, AppendRequest, GroupWrite } from './append-writer.js';
import type { EventRow } from './rows.js';
import type { Synchronous } from './schema.js';
import { fromWireError, toWireError, type WireError } from '../../shared/writer-thread.js';

/** What the writer thread is asked: a group of appends, or a probe write (readiness). */
export type WriterRequest = { readonly kind: 'append'; readonly requests: readonly AppendRequest[] } | { readonly kind: 'probe' };

/** What the writer thread is started with. */
export interface WriterConfig {
  readonly path: string;
  readonly synchronous: Synchronous;
  readonly busyTimeoutMs: number;
  /** See wal-checkpointer.ts; 0: SQLite checkpoints in the writer's commits. */
  readonly checkpointIntervalMs: number;
}

type WireOutcome = Extract<AppendOutcome, { ok: true }> | { readonly ok: false; readonly error: WireError };

/** A GroupWrite as it crosses the thread boundary: each failed append's error as name and message. */
export interface WireGroupWrite {
  readonly outcomes: readonly WireOutcome[];
  readonly inserted: readonly EventRow[];
}

export const toWire = (w: GroupWrite): WireGroupWrite => ({
  outcomes: w.outcomes.map((o) => (o.ok ? o : { ok: false, error: toWireError(o.error) })),
  inserted: w.inserted,
});

export const fromWire = (w: WireGroupWrite): GroupWrite => ({
  outcomes: w.outcomes.map((o): AppendOutcome => (o.ok ? o : { ok: false, error: fromWireError(o.error) })),
  inserted: w.inserted,
});
