/**
 * What idle connections cost when nothing forces a GC, over time (not run by the tests):
 *
 *   npm run build && node dist/bench/idle-decay.js [service|relay] [seconds]
 *
 * (c)'s set-up (a fresh server, the warm-up socket, 10,000 sockets of 1,000 users), then RSS per
 * connection from /proc every 5 s while the sockets stay idle (default 120 s), and at the end
 * after a forced GC of every thread. Without a forced GC, (c) reads the process just after the
 * connection storm settled; this shows when V8 gives that garbage back on its own.
 */
import { collectGarbageAndMeasure } from './inspector.js';
import { Load } from './load-driver.js';
import { cleanUpOnExit } from './processes.js';
import { sampleProc } from './proc-stats.js';
import { warmUp } from './scenario-c-idle.js';
import { startServer } from './servers.js';
import { sleep } from './stats.js';

const kind = process.argv[2] === 'relay' ? 'relay' : 'service';
const seconds = Number(process.argv[3] ?? 120);
const [sockets, users] = [10_000, 1000];
cleanUpOnExit();
const server = await startServer(kind, 'idle-decay', { inspect: true });
const inspector = server.inspector;
if (inspector === undefined) throw new Error('no inspector');
const load = await Load.start('idle-decay');
await load.init(server.target, kind);
await warmUp(server.target);
await sleep(1000);
const before = await collectGarbageAndMeasure(inspector);
const baseKiB = sampleProc(server.pid)?.rssKiB ?? 0;
await load.connect(0, sockets, 250, 300_000, users);
const perConnection = (kib: number): string => ((kib - baseKiB) / sockets).toFixed(1);
process.stdout.write(
  `${kind}: RSS per idle connection (KiB) without a forced GC, from the end of the connection storm\n| s | KiB | server CPU s |\n|---|---|---|\n`,
);
const start = Date.now();
for (let t = 0; t <= seconds; t += 5) {
  await sleep(Math.max(0, start + t * 1000 - Date.now()));
  const s = sampleProc(server.pid);
  if (s !== undefined) process.stdout.write(`| ${t} | ${perConnection(s.rssKiB)} | ${s.cpuSeconds.toFixed(1)} |\n`);
}
const after = await collectGarbageAndMeasure(inspector);
process.stdout.write(`after a forced GC of every thread: ${((after.everyThread.rss - before.everyThread.rss) / 1024 / sockets).toFixed(1)} KiB\n`);
await load.close();
await server.stop();
process.exit(0);
