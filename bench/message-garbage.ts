/**
 * What the message path allocates, and what of it reaches the old generation (not run by the tests):
 *
 *   npm run build && node dist/bench/message-garbage.js [sites] [rate]
 *
 * (a)'s set-up (1,000 users in 500 chats, 1,000 messages/s by default), a warm-up, then two
 * 10-s phases under V8's sampling heap profiler: the first counts every allocation, the second
 * leaves out what a scavenge collected, so it counts what was promoted to the old generation
 * (it lived through the scavenges until then) or is still alive at the end. Scavenges copy what
 * survives them, and what is promoted is what full GCs then collect. Bytes per message
 * delivered, by allocation site; sampled (one per 4 KiB).
 */
import { sampleAllocations, siteTable, totalBytes } from './heap-sites.js';
import { openInspector } from './inspector.js';
import { Load } from './load-driver.js';
import { cleanUpOnExit } from './processes.js';
import { startServer } from './servers.js';

const sites = Number(process.argv[2] ?? 15);
const rate = Number(process.argv[3] ?? 1000);
const users = 1000;

cleanUpOnExit();
const server = await startServer('service', 'message-garbage', { inspect: true });
const load = await Load.start('message-garbage');
try {
  if (server.inspector === undefined) throw new Error('no inspector');
  await load.init(server.target, 'service');
  await load.setup(users);
  await load.connect(0, users, 100, 120_000);
  await load.phase({ rate, warmupMs: 0, durationMs: 5000, graceMs: 1000 }, server.pid);
  const session = await openInspector(server.inspector);
  try {
    const phase = async (includeObjectsCollectedByMinorGC: boolean): Promise<void> => {
      let delivered = 0;
      const sampled = await sampleAllocations(
        session,
        { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC },
        async () => {
          delivered = (await load.phase({ rate, warmupMs: 0, durationMs: 10_000, graceMs: 1000 }, server.pid)).delivered;
        },
      );
      const perMessage = (bytes: number): string => (bytes / delivered).toFixed(0);
      const sorted = [...sampled].sort((a, b) => b[1] - a[1]);
      const what = includeObjectsCollectedByMinorGC ? 'allocated' : 'promoted to the old generation, or still alive';
      process.stdout.write(
        `\n${what}: ${perMessage(totalBytes(sampled))} bytes per message (${delivered} delivered)\n\n${siteTable(sorted, sites, perMessage, 'bytes/msg')}`,
      );
    };
    await phase(true);
    await phase(false);
  } finally {
    session.close();
  }
} finally {
  await load.close();
  await server.stop();
}
process.exit(0);
