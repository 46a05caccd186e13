import type { PositionedChanges } from '../../../application/ports/read-model.js';
import type { ProjectionGroup } from '../../../application/read-models/groups.js';
import type { Synchronous } from './schema.js';

/** What the read-model writer thread is started with. */
export interface ReadModelWriterConfig {
  readonly path: string;
  readonly synchronous: Synchronous;
  readonly busyTimeoutMs: number;
  readonly bulkLoad: boolean;
  /** See wal-checkpointer.ts; 0: SQLite checkpoints in the writer's commits. */
  readonly checkpointIntervalMs: number;
}

export type ReadModelWrite =
  | { readonly kind: 'apply'; readonly projection: string; readonly batch: string }
  | { readonly kind: 'reset'; readonly groups: readonly ProjectionGroup[] | undefined };

type WireEntry = readonly [commit: string, prepare: string, changes: PositionedChanges['changes']];

/**
 * A batch crosses to the thread as JSON text: parsing it there costs less than half of what
 * structured clone's deserialisation does for many small objects (measured 19 vs 52 ms for
 * 20,000 messages), and that thread is the rebuild's bottleneck. Positions are bigints: strings.
 */
export const encodeBatch = (batch: readonly PositionedChanges[]): string =>
  JSON.stringify(batch.map((e): WireEntry => [e.position.commit.toString(), e.position.prepare.toString(), e.changes]));

export const decodeBatch = (text: string): PositionedChanges[] =>
  // Written by encodeBatch on the other side of the thread boundary, from typed changes.
  (JSON.parse(text) as WireEntry[]).map(([commit, prepare, changes]) => ({ position: { commit: BigInt(commit), prepare: BigInt(prepare) }, changes }));
