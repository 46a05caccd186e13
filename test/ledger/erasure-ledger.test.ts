import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { IndexedLedgerLeaf } from '../../src/application/ledger/ledger-store.js';
import { runCliProcess, tempDir } from '../cli/cli-process.js';
import { exchange, filesHolding, openChat, person } from '../erasure/support.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { sealedToHead } from './sealed-to-head.js';
import { sleep } from '../support/wait.js';

const SEAL_MS = 100;

const leafHashes = (leaves: readonly IndexedLedgerLeaf[]): string[] => leaves.map((l) => `${l.eventId} ${l.hash.toString('hex')}`);

describe('the ledger and erasure: erasing a user changes no leaf and no root', function () {
  this.timeout(90_000);
  let svc: TestService | undefined;
  const dirs: string[] = [];
  after(async () => {
    await svc?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('after `npm run erase`, `ledger verify` exits 0, consistent with the checkpoint signed before, over the same leaves', async () => {
    const dataDir = tempDir('ledger-erasure-');
    dirs.push(dataDir);
    svc = await startTestService({ ledger: { sealIntervalMs: SEAL_MS, origin: 'chat-events', signingKeyFile: undefined } }, { dataDir });
    const [erin, omar] = [person('erin'), person('omar')];
    const [e, o] = [await erin.connect(svc), await omar.connect(svc)];
    const chatId = await openChat(svc, erin, omar);
    for (let i = 0; i < 5; i++) {
      await exchange(e, o, chatId, erin.say(`erin ${i}`));
      await exchange(o, e, chatId, omar.say(`omar ${i}`));
    }
    await Promise.all([e.close(), o.close()]);

    const before = await sealedToHead(svc);
    const checkpointFile = join(dataDir, '..', `${dataDir.split('/').pop() ?? 'x'}-checkpoint.txt`);
    dirs.push(checkpointFile);
    const res = await fetch(`${svc.service.url}/api/ledger/checkpoint`);
    writeFileSync(checkpointFile, await res.text());
    const leavesBefore = leafHashes(await svc.service.ledger.store.leaves(0, before));
    expect(leavesBefore).to.have.length(before);

    const erased = await runCliProcess('erase', [erin.sub], { dataDir });
    expect(erased.code, erased.stderr).to.equal(0);
    // Erasure appends its own events; the ledger seals them too.
    await sleep(SEAL_MS * 3);
    const after = await sealedToHead(svc);
    expect(after).to.be.greaterThan(before);
    const leavesAfter = leafHashes(await svc.service.ledger.store.leaves(0, before));
    await svc.stop();
    svc = undefined;

    expect(filesHolding(dataDir, erin.secrets), 'erased for real').to.deep.equal([]);
    expect(leavesAfter).to.deep.equal(leavesBefore);
    const verified = await runCliProcess('ledger', ['verify', '--checkpoint', checkpointFile], { dataDir, timeoutMs: 60_000 });
    expect(verified.code, `${verified.stdout}${verified.stderr}`).to.equal(0);
    expect(verified.stdout.trim()).to.match(
      new RegExp(`^ok: ${after} events match the ledger's ${after} leaves .*; consistent with checkpoint \\S+ \\(${before} events\\)$`),
    );
  });
});
