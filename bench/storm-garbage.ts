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
import { openInspector } from './inspector.js';
import { Load } from './load-driver.js';
import { cleanUpOnExit } from './processes.js';
import { sampleProc } from './proc-stats.js';
import { warmUp } from './scenario-c-idle.js';
import { startServer } from './servers.js';
import { sleep } from './stats.js';

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const isNode = (u: unknown): u is ProfileNode => typeof u === 'object' && u !== null && 'callFrame' in u && 'selfSize' in u && 'children' in u;

const sites = Number(process.argv[2] ?? 15);

/** Bytes by allocation site (function and file, and our deepest frame), summed over the tree. */
const bySite = (head: ProfileNode): Map<string, number> => {
  const sizes = new Map<string, number>();
  const walk = (n: ProfileNode, ours: string): void => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(dist|node_modules)\//, '');
    const here = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    const deepest = file.startsWith('src/') ? here : ours;
    if (n.selfSize > 0) {
      const key = `${here}${deepest !== here && deepest !== '' ? `  < ${deepest}` : ''}`;
      sizes.set(key, (sizes.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, deepest);
  };
  walk(head, '');
  return sizes;
};

/** Until the service's CPU falls under 5% of a core for a second (as (c) waits), at most 30 s. */
const settled = async (pid: number): Promise<void> => {
  const deadline = performance.now() + 30_000;
  let prev = sampleProc(pid);
  while (performance.now() < deadline) {
    await sleep(1000);
    const cur = sampleProc(pid);
    if (cur === undefined || prev === undefined) return;
    if ((cur.cpuSeconds - prev.cpuSeconds) / ((cur.at - prev.at) / 1000) < 0.05) return;
    prev = cur;
  }
};

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
      await session.call('HeapProfiler.enable');
      await session.call('HeapProfiler.startSampling', {
        samplingInterval: 8192,
        includeObjectsCollectedByMajorGC: withMajorGcGarbage,
        includeObjectsCollectedByMinorGC: false,
      });
      await load.connect(0, 10_000, 250, 300_000, 1000);
      await settled(server.pid);
      await session.call('HeapProfiler.collectGarbage');
      const { profile } = await session.call('HeapProfiler.stopSampling');
      const head: unknown = typeof profile === 'object' && profile !== null && 'head' in profile ? profile.head : undefined;
      if (!isNode(head)) throw new Error('no sampling profile');
      return bySite(head);
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
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const promoted = [...withGarbage].map(([site, bytes]) => [site, bytes - (live.get(site) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
const mb = (n: number): string => (n / 1e6).toFixed(1);
process.stdout.write(
  `live after the storm (sampled): ${mb(total(live))} MB; promoted, then collected by a full GC: ${mb(total(withGarbage) - total(live))} MB\n\n| MB | allocation site  < our deepest frame |\n|---:|---|\n`,
);
for (const [site, bytes] of promoted.slice(0, sites)) process.stdout.write(`| ${mb(bytes)} | \`${site}\` |\n`);
process.exit(0);
