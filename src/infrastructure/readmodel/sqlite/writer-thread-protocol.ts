import type { PositionedChanges } from '../../../application/ports/read-model.js';
import type { ProjectionGroup } from '../../../application/projections/groups.js';
import type { Synchronous } from './schema.js';

/** What the read-model writer thread is started with. */
export interface ReadModelWriterConfig {
  readonly path: string;
  readonly synchronous: Synchronous;
  readonly busyTimeoutMs: number;
  readonly bulkLoad: boolean;
}

export type ReadModelWriterRequest =
  | { readonly kind: 'apply'; readonly seq: number; readonly projection: string; readonly batch: readonly PositionedChanges[] }
  | { readonly kind: 'reset'; readonly seq: number; readonly groups: readonly ProjectionGroup[] | undefined }
  | { readonly kind: 'close'; readonly seq: number };

/** Errors cross the thread boundary as name and message. */
export type ReadModelWriterReply =
  | { readonly seq: number; readonly ok: true }
  | { readonly seq: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string } };
