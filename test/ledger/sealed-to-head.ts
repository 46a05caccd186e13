import type { TestService } from '../support/test-service.js';
import { sleep } from '../support/wait.js';

/** Until the latest checkpoint covers the whole log (or `timeoutMs`): its size. */
export const sealedToHead = async (svc: TestService, timeoutMs = 10_000): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = Number((await svc.service.store.headPosition())?.commit ?? 0);
    const latest = await svc.service.ledger.store.latestCheckpoint();
    if (latest !== undefined && latest.size >= head) return latest.size;
    if (Date.now() > deadline) throw new Error(`not sealed to the head (${head}) in time: ${latest?.size ?? 'none'}`);
    await sleep(20);
  }
};
