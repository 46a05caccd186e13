/**
 * Where the connection storm's promoted garbage comes from (not run by the tests):
 *
 *   npm run build && node dist/bench/storm-garbage.js [sites]
 *
 * Without a forced GC, (c) reads the service with what the storm left in its old generation:
 * objects that lived through two scavenges and died after. Two runs of (c)'s set-up (a fresh
 * service, the warm-up socket, 10,000 sockets of 1,000 users), each with V8's sampling heap
 * profiler on from just before the storm until after a forced GC once it settled: the first
 * counts the objects still alive (live), the second those too that only a full GC collected
 * (`includeObjectsCollectedByMajorGC`). Their difference, by allocation site, is what the storm
 * promoted and then dropped. Sampling is statistical (one sample per 8 KiB allocated).
 */
import { mb, sampleAllocations, siteTable, totalBytes } from './heap-sites.js';
import { openInspector } from './inspector.js';
import { Load } from './load-driver.js';
import { cleanUpOnExit } from './processes.js';
import { untilIdle } from './proc-stats.js';
import { warmUp } from './scenario-c-idle.js';
import { startServer } from './servers.js';
import { sleep } from './stats.js';

const sites = Number(process.argv[2] ?? 15);

const stormProfile = async (withMajorGcGarbage: boolean): Promise<Map<string, number>> => {
  const server = await startServer('service', 'storm-garbage', { inspect: true });
  const load = await Load.start('storm-garbage');
  try {
    if (server.inspector === undefined) throw new Error('no inspector');
    await load.init(server.target, 'service');
    await warmUp(server.target);
    await sleep(1000);
    const session = await openInspector(server.inspector);
    try {
      return await sampleAllocations(
        session,
        { samplingInterval: 8192, includeObjectsCollectedByMajorGC: withMajorGcGarbage, includeObjectsCollectedByMinorGC: false },
        async () => {
          await load.connect(0, 10_000, 250, 300_000, 1000);
          await untilIdle(server.pid);
        },
      );
    } finally {
      session.close();
    }
  } finally {
    await load.close();
    await server.stop();
  }
};

cleanUpOnExit();
const live = await stormProfile(false);
const withGarbage = await stormProfile(true);
const promoted = [...withGarbage].map(([site, bytes]) => [site, bytes - (live.get(site) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
process.stdout.write(
  `live after the storm (sampled): ${mb(totalBytes(live))} MB; promoted, then collected by a full GC: ${mb(totalBytes(withGarbage) - totalBytes(live))} MB\n\n${siteTable(promoted, sites)}`,
);
process.exit(0);
