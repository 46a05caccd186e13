import type { AppendRequest, AppendOutcome, GroupWrite } from './append-writer.js';
import type { EventRow } from './rows.js';
import type { Synchronous } from './schema.js';

/** What the writer thread is started with. */
export interface WriterConfig {
  readonly path: string;
  readonly synchronous: Synchronous;
  readonly busyTimeoutMs: number;
}

export type WriterRequest =
  | { readonly kind: 'write'; readonly seq: number; readonly requests: readonly AppendRequest[] }
  | { readonly kind: 'close' };

/** Errors cross the thread boundary as name and message (structured clone drops the rest). */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

type WireOutcome = Extract<AppendOutcome, { ok: true }> | { readonly ok: false; readonly error: WireError };

export interface WireGroupWrite {
  readonly outcomes: readonly WireOutcome[];
  readonly inserted: readonly EventRow[];
}

export type WriterReply =
  | { readonly seq: number; readonly ok: true; readonly write: WireGroupWrite }
  | { readonly seq: number; readonly ok: false; readonly error: WireError };

export const toWire = (w: GroupWrite): WireGroupWrite => ({
  outcomes: w.outcomes.map((o) => (o.ok ? o : { ok: false, error: { name: o.error.name, message: o.error.message } })),
  inserted: w.inserted,
});

export const fromWireError = (e: WireError): Error => {
  const error = e.name === 'TypeError' ? new TypeError(e.message) : e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  if (error.name !== e.name) error.name = e.name;
  return error;
};

export const fromWire = (w: WireGroupWrite): GroupWrite => ({
  outcomes: w.outcomes.map((o): AppendOutcome => (o.ok ? o : { ok: false, error: fromWireError(o.error) })),
  inserted: w.inserted,
});
