import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteNodeLeases } from '../../src/infrastructure/scheduler/node-leases.js';
import { nodeLeasesContract } from '../contract/node-leases.contract.js';

nodeLeasesContract('SQLite (two connections to one scheduler.db)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leases-'));
  const leases = SqliteNodeLeases.open(join(dir, 'scheduler.db'));
  const other = SqliteNodeLeases.open(join(dir, 'scheduler.db'));
  return {
    leases,
    other,
    cleanup: async () => {
      await Promise.all([leases.close(), other.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
