/** The report of a run: its goals, the markdown table printed and written into BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';
import { profileMarkdown } from './profile-run.js';
import type { Results } from './results.js';
import { latencyGoal, latencyRows } from './scenario-a-latency.js';
import { rampGoal, rampRows } from './scenario-b-ramp.js';
import { idleGoal, idleRows } from './scenario-c-idle.js';
import { replayGoal, replayRows } from './scenario-d-replay.js';
import { restRows } from './scenario-e-rest.js';
import { longChatGoal, longChatRows } from './scenario-f1-long-chat.js';
import { longInvitesGoal, longInvitesRows } from './scenario-f2-long-invites.js';
import { longLogGoal, longLogRows } from './scenario-f3-long-log.js';
import { stormGoal, stormRows } from './scenario-g-storm.js';
import { sdkGoal, sdkRows } from './scenario-h-sdk.js';
import { renderTables, type Goal } from './table.js';

/** Each scenario's goal, in the order of the goals table. */
export const goalsOf = (r: Omit<Results, 'goals' | 'finishedAt' | 'seconds'>): Goal[] =>
  [
    latencyGoal(r.service.latency, r.baseline.latency),
    rampGoal(r.service.ramp, r.baseline.ramp),
    idleGoal(r.service.idle, r.baseline.idle),
    replayGoal(r.replay, r.replayCli),
    longChatGoal(r.longChat),
    longInvitesGoal(r.longInvites),
    stormGoal(r.storm),
    longLogGoal(r.longLog),
    sdkGoal(r.sdk),
  ].filter((g): g is Goal => g !== undefined);

export const markdownTable = (r: Results): string => {
  const s = r.service;
  const b = r.baseline;
  const rows = [
    ...latencyRows(r.options, s.latency, b.latency),
    ...rampRows(s.ramp, b.ramp),
    ...idleRows('(c)', s.idle, b.idle),
    ...idleRows("(c')", s.idleDistinct, b.idleDistinct),
    ...replayRows(r.replay, r.replayCli),
    ...longChatRows(r.longChat),
    ...longInvitesRows(r.longInvites),
    ...stormRows(r.storm),
    ...longLogRows(r.options, r.longLog),
    ...restRows(r.options, s),
    ...sdkRows(r.sdk),
  ];
  return renderTables(rows, r.goals);
};

const MD_START = '<!-- bench:results:start -->';
const MD_END = '<!-- bench:results:end -->';

export const writeBenchmarksMd = (r: Results, table: string, jsonPath: string): void => {
  const path = join(ROOT, 'BENCHMARKS.md');
  const m = r.machine;
  const generated = [
    MD_START,
    `Latest run: ${r.finishedAt.slice(0, 16).replace('T', ' ')} UTC, \`${r.command}\` (${r.mode}, ${Math.round(r.seconds)} s), raw results \`${jsonPath}\`.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, open files limit ${m.openFilesLimit}; ` +
      `load average at start ${m.loadAverageAtStart.join(' / ')}. Server, generator and relay share these cores.`,
    '',
    table,
    ...(r.notes.length > 0 ? ['Notes:', ...r.notes.map((n) => `- ${n}`), ''] : []),
    ...(r.profile === undefined ? [] : ['### CPU profile of the message path (generated)', '', profileMarkdown(r.profile)]),
    MD_END,
  ].join('\n');
  let text = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${MD_START}\n${MD_END}\n`;
  const a = text.indexOf(MD_START);
  const b = text.indexOf(MD_END);
  text = a >= 0 && b > a ? text.slice(0, a) + generated + text.slice(b + MD_END.length) : `${text}\n${generated}\n`;
  writeFileSync(path, text);
};
