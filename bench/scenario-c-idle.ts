/** (c): RSS per idle connection on a fresh server, after a forced full GC and without one. */
import WebSocket from 'ws';
import { signDevToken } from '../src/infrastructure/auth/token-signer.js';
import { collectGarbageAndMeasure, type GcMeasures } from './inspector.js';
import type { Target } from './load-protocol.js';
import { Load } from './load-driver.js';
import type { Options } from './options.js';
import { ProcSampler, sampleProc, untilIdle, type ProcSummary } from './proc-stats.js';
import { log } from './progress.js';
import { startServer } from './servers.js';
import { round, sleep } from './stats.js';
import { comparedRow, fmt, type Goal, type Row } from './table.js';

export interface IdleResult {
  readonly requested: number;
  /** Distinct users behind the connections (connection c is user c % users). */
  readonly users: number;
  readonly opened: number;
  readonly failed: number;
  readonly connectSeconds: number;
  readonly framesDuringConnect: number;
  readonly framesByAction: Readonly<Record<string, number>>;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  /** (RSS after − before) / connections, both after a forced full GC of every thread when `afterGc`. */
  readonly rssPerConnectionKiB: number;
  /**
   * As measured before 2026-12-07's fifth sitting: from the server as started (no warm-up, so
   * the first connection's one-time costs counted), after a GC of the main thread only.
   */
  readonly rssPerConnectionAsBeforeKiB: number | undefined;
  readonly rssPerConnectionBeforeGcAsBeforeKiB: number | undefined;
  readonly afterGc: boolean;
  /** Worker threads GC'd at the end, and their heaps in use before and after (MiB, summed). */
  readonly workerThreads: number | undefined;
  /** Worker threads that did not answer the inspector, their heaps left as they were. */
  readonly workerThreadsUnreachable: number | undefined;
  readonly workerHeapMiB: { readonly before: number; readonly after: number } | undefined;
  /** The same from /proc without forcing a GC (includes garbage of the connection storm). */
  readonly rssPerConnectionBeforeGcKiB: number;
  readonly heapPerConnectionKiB: number | undefined;
  readonly externalPerConnectionKiB: number | undefined;
  readonly serverCpuSecondsToConnect: number;
  readonly serverDuringConnect: ProcSummary;
  readonly generatorDuringConnect: ProcSummary;
  readonly firstError?: string;
}

/**
 * One socket of a user outside the measured ones, opened until it is set up and closed: what a
 * process pays once, at its first connection (the read-model writer's threads start with the
 * first user's registration, the connection path is compiled), is then out of the figure.
 */
export const warmUp = (target: Target): Promise<void> =>
  new Promise((resolve, reject) => {
    const url =
      target.kind === 'service'
        ? `${target.wsUrl}/ws/events?token=${signDevToken({ secret: target.jwtSecret, userId: 'bench-warm-up', username: 'bench_warm_up', expiresInSeconds: 600 })}`
        : `${target.wsUrl}/`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('warm-up socket not ready in 30 s')), 30_000);
    const done = (): void => {
      clearTimeout(timer);
      ws.once('close', () => resolve());
      ws.close();
    };
    // The relay sends nothing: open is all there is to wait for.
    if (target.kind === 'relay') ws.once('open', done);
    else ws.on('message', (m: Buffer) => m.toString('utf8').includes('"ready"') && done());
    ws.once('error', reject);
  });

/**
 * (c): RSS growth per idle connection on a fresh server, after one warm-up connection: n
 * connections of `users` users (each user's first tab first, so presence fan-out happens while
 * few sockets are up).
 */
export const idleScenario = async (kind: 'service' | 'relay', o: Options, n: number, users: number, label: string): Promise<IdleResult> => {
  const name = kind === 'service' ? 'chat-events' : 'baseline';
  const server = await startServer(kind, label, { inspect: true });
  let load: Load | undefined;
  try {
    load = await Load.start(`${kind}-${label}`);
    await load.init(server.target, kind);
    await sleep(1000);
    const gcMeasure = async (): Promise<GcMeasures | undefined> =>
      server.inspector === undefined
        ? undefined
        : collectGarbageAndMeasure(server.inspector).catch((e: unknown) => {
            log(`(c) ${name}: no GC through the inspector: ${e instanceof Error ? e.message : String(e)}`);
            return undefined;
          });
    const gcFresh = await gcMeasure();
    const fresh = sampleProc(server.pid);
    await warmUp(server.target);
    await sleep(1000);
    const gcBefore = await gcMeasure();
    const before = sampleProc(server.pid);
    const serverSampler = new ProcSampler(server.pid, 500);
    const genSampler = new ProcSampler(load.pid, 500);
    serverSampler.start();
    genSampler.start();
    const connect = await load.connect(0, n, 250, o.idleTimeoutMs, users);
    const serverDuringConnect = serverSampler.stop();
    const generatorDuringConnect = genSampler.stop();
    // Let the server finish what the connections set off (presence fan-out, appends).
    await untilIdle(server.pid);
    const after = sampleProc(server.pid);
    const gcAfter = await gcMeasure();
    // Steady state: after a full GC on both sides; without a GC the figure includes garbage.
    const rssBefore = gcBefore === undefined ? (before?.rssKiB ?? 0) : gcBefore.everyThread.rss / 1024;
    const rssAfter = gcAfter === undefined ? (after?.rssKiB ?? 0) : gcAfter.everyThread.rss / 1024;
    const perConn = (a: number, b: number): number => (connect.opened > 0 ? round((b - a) / connect.opened, 1) : 0);
    const result: IdleResult = {
      requested: n,
      users,
      opened: connect.opened,
      failed: connect.failed,
      connectSeconds: round(connect.ms / 1000, 1),
      framesDuringConnect: connect.framesDuringConnect,
      framesByAction: connect.framesByAction,
      rssBeforeMiB: round(rssBefore / 1024, 1),
      rssAfterMiB: round(rssAfter / 1024, 1),
      rssPerConnectionKiB: perConn(rssBefore, rssAfter),
      rssPerConnectionAsBeforeKiB:
        gcFresh === undefined || gcAfter === undefined ? undefined : perConn(gcFresh.mainThread.rss / 1024, gcAfter.mainThread.rss / 1024),
      rssPerConnectionBeforeGcAsBeforeKiB: fresh === undefined || after === undefined ? undefined : perConn(fresh.rssKiB, after.rssKiB),
      afterGc: gcAfter !== undefined,
      workerThreads: gcAfter?.workerThreads,
      workerThreadsUnreachable: gcAfter?.unreachableThreads,
      workerHeapMiB:
        gcAfter === undefined
          ? undefined
          : { before: round(gcAfter.workerHeapUsed.before / 1048576, 1), after: round(gcAfter.workerHeapUsed.after / 1048576, 1) },
      rssPerConnectionBeforeGcKiB: perConn(before?.rssKiB ?? 0, after?.rssKiB ?? 0),
      heapPerConnectionKiB:
        gcBefore === undefined || gcAfter === undefined ? undefined : perConn(gcBefore.everyThread.heapUsed / 1024, gcAfter.everyThread.heapUsed / 1024),
      externalPerConnectionKiB:
        gcBefore === undefined || gcAfter === undefined ? undefined : perConn(gcBefore.everyThread.external / 1024, gcAfter.everyThread.external / 1024),
      serverCpuSecondsToConnect: round((after?.cpuSeconds ?? 0) - (before?.cpuSeconds ?? 0), 1),
      serverDuringConnect,
      generatorDuringConnect,
      ...(connect.firstError === undefined ? {} : { firstError: connect.firstError }),
    };
    log(
      `${name} (c) ${result.opened}/${n} idle sockets of ${users} users in ${result.connectSeconds} s: RSS ${result.rssBeforeMiB} -> ${result.rssAfterMiB} MiB, ` +
        `${result.rssPerConnectionKiB} KiB/connection after GC of every thread (as measured before: ${result.rssPerConnectionAsBeforeKiB}; ${result.rssPerConnectionBeforeGcKiB} before GC, as before ${result.rssPerConnectionBeforeGcAsBeforeKiB}, JS heap ${result.heapPerConnectionKiB} KiB; ` +
        `${result.workerThreads} worker threads (${result.workerThreadsUnreachable} unreachable), their heaps ${result.workerHeapMiB?.before} -> ${result.workerHeapMiB?.after} MiB), ${result.framesDuringConnect} frames received while connecting; ` +
        `${JSON.stringify(result.framesByAction)}; CPU while connecting: server ${serverDuringConnect.cpuPercent}% (waiting ${serverDuringConnect.runQueueWaitPercent}%), generator ${generatorDuringConnect.cpuPercent}%`,
    );
    return result;
  } finally {
    await load?.close();
    await server.stop();
  }
};

/** Rows of one (c) run (`tag` (c) or (c')) for both targets. */
export const idleRows = (tag: string, si: IdleResult | undefined, bi: IdleResult | undefined): Row[] => {
  if (si === undefined && bi === undefined) return [];
  const n = si?.requested ?? bi?.requested ?? 0;
  const u = si?.users ?? bi?.users ?? 0;
  const sc = `${tag} ${n} idle connections, ${u === n ? 'each a distinct user' : `${u} users × ${round(n / u, 1)} tabs`}`;
  const both = (f: (i: IdleResult) => string): [string, string] => [si === undefined ? '–' : f(si), bi === undefined ? '–' : f(bi)];
  return [
    comparedRow(sc, 'RSS per connection after a full GC of every thread (KiB)', si?.rssPerConnectionKiB, bi?.rssPerConnectionKiB, 1),
    comparedRow(sc, '… without forcing a GC (KiB)', si?.rssPerConnectionBeforeGcKiB, bi?.rssPerConnectionBeforeGcKiB, 1),
    comparedRow(sc, '… of which JS heap (KiB)', si?.heapPerConnectionKiB, bi?.heapPerConnectionKiB, 1),
    comparedRow(
      sc,
      'as measured before 2026-12-07 (no warm-up, GC of the main thread only) (KiB)',
      si?.rssPerConnectionAsBeforeKiB,
      bi?.rssPerConnectionAsBeforeKiB,
      1,
    ),
    comparedRow(sc, '… without forcing a GC (KiB)', si?.rssPerConnectionBeforeGcAsBeforeKiB, bi?.rssPerConnectionBeforeGcAsBeforeKiB, 1),
    [sc, 'opened / failed', ...both((i) => `${i.opened} / ${i.failed}`), ''],
    [sc, 'RSS before → after, after GC (MiB)', ...both((i) => `${i.rssBeforeMiB} → ${i.rssAfterMiB}`), ''],
    comparedRow(sc, 'time to connect all (s)', si?.connectSeconds, bi?.connectSeconds, 1),
    [sc, 'server CPU to connect all (s)', fmt(si?.serverCpuSecondsToConnect, 1), fmt(bi?.serverCpuSecondsToConnect, 1), ''],
    [sc, 'frames pushed while connecting (presence)', fmt(si?.framesDuringConnect, 0), fmt(bi?.framesDuringConnect, 0), ''],
  ];
};

export const idleGoal = (s: IdleResult | undefined, b: IdleResult | undefined): Goal | undefined =>
  s === undefined
    ? undefined
    : {
        id: 'c',
        goal: '≤ 20 KiB RSS per idle connection',
        measured:
          `${s.rssPerConnectionKiB} KiB after a full GC, ${s.rssPerConnectionBeforeGcKiB} KiB without forcing one, over ${s.opened} connections (${s.users} users); ` +
          `baseline ${fmt(b?.rssPerConnectionKiB, 1)} / ${fmt(b?.rssPerConnectionBeforeGcKiB, 1)} KiB`,
        met: s.failed === 0 ? s.rssPerConnectionKiB <= 20 : false,
        verdict:
          s.failed > 0
            ? '**no** (connections failed)'
            : `${s.rssPerConnectionKiB <= 20 ? 'yes' : '**no**'} after GC; ${s.rssPerConnectionBeforeGcKiB <= 20 ? 'yes' : '**no**'} without`,
      };
