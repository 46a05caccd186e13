import type { Position } from '../../../application/ports/event-store.js';
import { comparePositions } from '../../../application/ports/position.js';
import type { PositionedChanges } from '../../../application/ports/read-model.js';
import { changeKey } from '../position-key.js';
import type { DocumentDb } from './document-db.js';
import { checkpointOf, checkpointWrite, unreadCountFilter, writesFor } from './documents.js';

export const readCheckpoint = async (db: DocumentDb, projection: string): Promise<Position | undefined> => {
  const [doc] = await db.find('checkpoints', checkpointOf(projection));
  return doc === undefined ? undefined : { commit: BigInt(doc.commit), prepare: BigInt(doc.prepare) };
};

/**
 * Without multi-document transactions, a crash can leave a batch half applied and the
 * checkpoint behind it; the batch is then delivered again. Events at or before the checkpoint
 * are skipped, and every write of the rest is guarded by its change key (see documents.ts),
 * so writes that already landed match nothing. Writes run one after another, in log order:
 * what was applied before a crash is always a prefix, which the guards rely on.
 */
export const applyBatch = async (db: DocumentDb, projection: string, batch: readonly PositionedChanges[]): Promise<void> => {
  const from = await readCheckpoint(db, projection);
  let last: Position | undefined;
  for (const entry of batch) {
    if (from !== undefined && comparePositions(entry.position, from) <= 0) continue;
    for (const [i, change] of entry.changes.entries()) {
      const unreadAfter = change.kind === 'MarkMessagesRead' ? await db.count('messages', unreadCountFilter(change)) : 0;
      for (const op of writesFor(change, changeKey(entry.position, i), { unreadAfter })) {
        if (op.kind === 'aggregate') await db.aggregate(op.collection, op.pipeline);
        else await db.update(op);
      }
    }
    last = entry.position;
  }
  if (last !== undefined) await db.update(checkpointWrite(projection, last));
};
