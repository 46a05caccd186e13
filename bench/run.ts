/**
 * `npm run bench [-- --quick] [-- --write-md] [-- --profile] [-- --only a,b,...]`
 *
 * Orchestrates the load benchmarks of issues 7 and 13. Every server and the load generator run
 * as separate processes on 127.0.0.1; the same generator drives the service and a bare `ws`
 * relay (the baseline), and our figures are reported as ratios to it. One module per scenario:
 *   (a) latency at a fixed moderate rate      (b) maximum sustained throughput (ramp)
 *   (c) RSS per idle connection               (d) read-model rebuild speed on a generated log
 *   (e) REST GET /api/chats/{username}/messages latency under load
 *   (f) long histories: (f1) a long chat, (f2) many invitations, (f3) a long log against an empty one
 *   (g) the reconnect storm                  (h) the SDK as a client process, against a raw socket
 * Writes `.bench/results-<timestamp>.json`, prints a markdown table, and with `--write-md`
 * updates BENCHMARKS.md. Every child is killed at the end, also on error or Ctrl-C (processes.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedArgs } from '../src/interfaces/cli/cli-args.js';
import { runCli } from '../src/interfaces/cli/run-cli.js';
import { loadScenarios } from './load-session.js';
import type { MeasuredPhase } from './load-driver.js';
import { machine } from './machine.js';
import { parseOptions, spec } from './options.js';
import { BENCH_DIR, cleanUpOnExit, killAll, ROOT } from './processes.js';
import { readCpuTicks, stealPercent } from './proc-stats.js';
import { profileMarkdown, profileScenario, type ProfileResult } from './profile-run.js';
import { log, messageOf } from './progress.js';
import { goalsOf, markdownTable, writeBenchmarksMd } from './report.js';
import type { Results, TargetResults } from './results.js';
import { idleScenario } from './scenario-c-idle.js';
import { replayScenarios } from './scenario-d-replay.js';
import { longChatScenario } from './scenario-f1-long-chat.js';
import { longInvitesScenario } from './scenario-f2-long-invites.js';
import { longLogScenario } from './scenario-f3-long-log.js';
import { stormScenario } from './scenario-g-storm.js';
import { sdkOutcome, sdkScenario } from './scenario-h-sdk.js';
import { round } from './stats.js';

const main = async (args: ParsedArgs<typeof spec.options>): Promise<void> => {
  const argv = process.argv.slice(2);
  const o = parseOptions(args);
  const started = new Date();
  const t0 = performance.now();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  mkdirSync(BENCH_DIR, { recursive: true });
  const m = machine();
  const ticksAtStart = readCpuTicks();
  const notes: string[] = [];
  log(`${o.quick ? 'quick' : 'full'} run on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${m.loadAverageAtStart.join(' ')}`);
  if (m.loadAverageAtStart[0] !== undefined && m.loadAverageAtStart[0] > m.cpus * 0.5) {
    notes.push(`The machine was busy when the run started (load average ${m.loadAverageAtStart.join(' / ')} on ${m.cpus} CPUs): absolute figures are noisy.`);
  }
  if (o.quick) {
    notes.push(
      `A quick run: smaller sizes and shorter phases than the full run, to check every scenario end to end, not to judge the goals` +
        `${o.only.has('f') ? `; (f3) compares a ${o.longLogEvents.toLocaleString('en-US')}-event log with an empty one in ${o.longLogRounds} rounds` : ''}.`,
    );
  }
  // Each side of a connection needs a descriptor: keep (c) within the limit.
  const fdBudget = m.openFilesLimit - 512;
  const idleN = Math.min(o.idleConnections, fdBudget);
  if (idleN < o.idleConnections) notes.push(`(c) was lowered to ${idleN} connections by the open files limit (${m.openFilesLimit}).`);

  const service: TargetResults = {};
  const baseline: TargetResults = {};
  const guard = async (what: string, into: TargetResults, f: () => Promise<void>): Promise<void> => {
    try {
      await f();
    } catch (err) {
      const msg = messageOf(err);
      into.error = `${into.error === undefined ? '' : `${into.error}; `}${what}: ${msg}`;
      log(`${what} failed: ${msg}`);
    }
  };
  if (['a', 'b', 'e'].some((s) => o.only.has(s))) {
    await guard('chat-events load', service, () => loadScenarios('service', o, service));
    await guard('baseline load', baseline, () => loadScenarios('relay', o, baseline));
  }
  if (o.only.has('c')) {
    const idleUsers = Math.min(o.idleUsers, idleN);
    await guard('chat-events idle', service, async () => {
      service.idle = await idleScenario('service', o, idleN, idleUsers, 'idle');
    });
    await guard('baseline idle', baseline, async () => {
      baseline.idle = await idleScenario('relay', o, idleN, idleUsers, 'idle');
    });
    const distinct = Math.min(o.idleDistinct, fdBudget);
    if (distinct > 0) {
      await guard('chat-events idle (distinct users)', service, async () => {
        service.idleDistinct = await idleScenario('service', o, distinct, distinct, 'idle-distinct');
      });
      await guard('baseline idle (distinct users)', baseline, async () => {
        baseline.idleDistinct = await idleScenario('relay', o, distinct, distinct, 'idle-distinct');
      });
    }
  }
  const { replay, replayCli } = o.only.has('d') ? await replayScenarios(o, notes) : {};
  /** Runs one long-history scenario: a failure becomes a note, and the others still run. */
  const attempt = async <T>(tag: string, intro: string, run: () => Promise<T>, outcome: (r: T) => string): Promise<T | undefined> => {
    log(`${tag} ${intro}`);
    try {
      const r = await run();
      log(`${tag} ${outcome(r)}`);
      return r;
    } catch (err) {
      const msg = messageOf(err);
      notes.push(`${tag} failed: ${msg}`);
      log(`${tag} failed: ${msg}`);
      return undefined;
    }
  };
  const f = o.only.has('f');
  const longLog = !f
    ? undefined
    : await attempt(
        '(f3)',
        `an empty log and a ${o.longLogEvents}-event log (generated and caught up once, cached in .bench/), in ${o.longLogRounds} alternating rounds`,
        () => longLogScenario(o),
        ({ empty, long, preparedSeconds }) =>
          `p99 long vs empty: append ${long.append.p99Ms} vs ${empty.append.p99Ms} ms, new_message ${long.latency.latencyMs.p99} vs ${empty.latency.latencyMs.p99} ms, ` +
          `REST ${long.rest.rest?.latencyMs.p99} vs ${empty.rest.rest?.latencyMs.p99} ms${preparedSeconds === undefined ? '' : `; prepared in ${preparedSeconds} s`}`,
      );
  const longChat = !f
    ? undefined
    : await attempt(
        '(f1)',
        `one chat of ${o.longChatMessages} stored messages`,
        () => longChatScenario(o),
        (r) => `cold ${r.coldMs} ms, +${r.coldRssMiB} MiB RSS; without the snapshot ${r.withoutSnapshotColdMs} ms`,
      );
  const longInvites = !f
    ? undefined
    : await attempt(
        '(f2)',
        `invitations after ${o.longInvitations} historic ones (seeded once, cached in .bench/)`,
        () => longInvitesScenario(o),
        (r) => `first invitation ${r.firstInvitationMs} ms, then p99 ${r.invitations1000.p99} ms`,
      );
  const storm = !o.only.has('g')
    ? undefined
    : await attempt(
        '(g)',
        `reconnect storms of ${o.stormUsers.join(', ')} distinct users`,
        () => stormScenario(o, notes),
        (rows) => `${rows.length} storms`,
      );
  const sdk = !o.only.has('h')
    ? undefined
    : await attempt(
        '(h)',
        `the SDK in a client process of its own, at the default flood limit and with it lifted, against a raw socket`,
        () => sdkScenario(o),
        sdkOutcome,
      );
  let profile: ProfileResult | undefined;
  if (o.profile) {
    const max = service.ramp?.maxSustainedPerSecond ?? 0;
    const rate = Math.max(o.rate, Math.round((max * 0.7) / 100) * 100);
    try {
      profile = await profileScenario(o, rate, stamp);
      const top = profile.summary.topInclusiveOurs.slice(0, 5).map((e) => `${e.name} ${e.percent}%`);
      log(
        `profile: ${profile.file}; top areas ${profile.summary.byArea
          .slice(0, 5)
          .map((e) => `${e.name} ${e.percent}%`)
          .join(', ')}; ours (inclusive) ${top.join(', ')}`,
      );
    } catch (err) {
      notes.push(`The profile run failed: ${messageOf(err)}`);
    }
  }
  for (const [who, t] of [
    ['chat-events', service],
    ['baseline', baseline],
  ] as const) {
    if (t.error !== undefined) notes.push(`${who}: ${t.error}`);
  }
  const ticksAtEnd = readCpuTicks();
  const steal = ticksAtStart === undefined || ticksAtEnd === undefined ? 0 : stealPercent(ticksAtStart, ticksAtEnd);
  // A virtual machine whose host is oversubscribed: every latency then waits for the host too.
  if (steal >= 5) notes.push(`The hypervisor took ${steal}% of this machine's CPU time during the run (steal): absolute figures are noisy.`);
  const bounded = (p: MeasuredPhase | undefined): boolean => p !== undefined && p.generator.cpuPercent > 90;
  if (bounded(baseline.latency) || baseline.ramp?.steps.some((s) => bounded(s.phase))) {
    notes.push(
      'The generator used more than 90% of a core while driving the baseline: the baseline figures are partly bounded by the generator and the shared cores.',
    );
  }
  const partial = {
    startedAt: started.toISOString(),
    command: `npm run bench --${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`,
    mode: o.quick ? ('quick' as const) : ('full' as const),
    machine: m,
    options: o,
    notes,
    service,
    baseline,
    ...(replay === undefined ? {} : { replay }),
    ...(replayCli === undefined ? {} : { replayCli }),
    ...(profile === undefined ? {} : { profile }),
    ...(longLog === undefined ? {} : { longLog }),
    ...(longChat === undefined ? {} : { longChat }),
    ...(longInvites === undefined ? {} : { longInvites }),
    ...(storm === undefined ? {} : { storm }),
    ...(sdk === undefined ? {} : { sdk }),
  };
  const results: Results = { ...partial, finishedAt: new Date().toISOString(), seconds: round((performance.now() - t0) / 1000, 1), goals: goalsOf(partial) };
  const jsonPath = join(BENCH_DIR, `results-${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(results, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)] : v), 2)}\n`);
  const table = markdownTable(results);
  process.stdout.write(`\n${table}\n`);
  if (results.notes.length > 0) process.stdout.write(`${results.notes.map((n) => `- ${n}`).join('\n')}\n`);
  if (profile !== undefined) process.stdout.write(`\n${profileMarkdown(profile)}\n`);
  process.stdout.write(`\nresults: ${jsonPath.slice(ROOT.length)} (${results.seconds} s)\n`);
  if (o.writeMd) {
    writeBenchmarksMd(results, table, jsonPath.slice(ROOT.length));
    log('BENCHMARKS.md updated');
  }
};

cleanUpOnExit();
runCli(spec, async (args) => {
  try {
    await main(args);
  } finally {
    killAll();
  }
});
