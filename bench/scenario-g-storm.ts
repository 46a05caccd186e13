/** (g): the reconnect storm, N distinct users connecting at once, per presence scope and mode (presence-storm.ts runs each). */
import type { Options } from './options.js';
import { runPresenceStorm, type PresenceStormResult, type StormMode, type StormScope } from './presence-storm.js';
import { log } from './progress.js';
import { fmt, type Goal, type Row } from './table.js';

const STORM_CONFIGS: readonly { readonly scope: StormScope; readonly mode: StormMode }[] = [
  { scope: 'all', mode: 'frames' },
  { scope: 'all', mode: 'batched' },
  { scope: 'contacts', mode: 'frames' },
  { scope: 'contacts', mode: 'batched' },
];

/** (g): N distinct users connecting at once to a fresh service, for each presence scope and mode. */
export const stormScenario = async (o: Options, notes: string[]): Promise<PresenceStormResult[]> => {
  const rows: PresenceStormResult[] = [];
  for (const users of o.stormUsers) {
    for (const c of STORM_CONFIGS) {
      if (c.scope === 'all' && c.mode === 'frames' && users > o.stormAllFramesMax) {
        notes.push(`(g) scope all with per-change frames was not run at ${users} users (N² frames; --storm-all-frames-max ${o.stormAllFramesMax}).`);
        continue;
      }
      const r = await runPresenceStorm({ users, ...c });
      log(`(g) ${users} users, ${c.scope} + ${c.mode}: ${r.framesDelivered} frames, ${r.serverCpuSeconds} s server CPU, settled in ${r.settledSeconds} s`);
      rows.push(r);
    }
  }
  return rows;
};

export const stormRows = (storm: readonly PresenceStormResult[] | undefined): Row[] =>
  (storm ?? []).flatMap((g): Row[] => {
    const sc = `(g) reconnect storm, ${g.users.toLocaleString('en-US')} distinct users, PRESENCE_SCOPE=${g.scope}, ${g.mode}`;
    return [
      [sc, 'frames delivered / per user', `${g.framesDelivered} / ${fmt(g.framesDelivered / g.users, 1)}`, '', ''],
      [sc, 'server CPU (s) / settled (s)', `${fmt(g.serverCpuSeconds)} / ${fmt(g.settledSeconds)}`, '', ''],
    ];
  });

export const stormGoal = (storm: readonly PresenceStormResult[] | undefined): Goal | undefined => {
  if (storm === undefined || storm.length === 0) return undefined;
  // Linear: frames and server CPU per user do not grow with the user count (within 1.5× of the smallest run's).
  const byConfig = new Map<string, PresenceStormResult[]>();
  for (const row of storm) byConfig.set(`${row.scope} + ${row.mode}`, [...(byConfig.get(`${row.scope} + ${row.mode}`) ?? []), row]);
  const linear = (rows: readonly PresenceStormResult[]): boolean => {
    const [first, ...rest] = rows;
    if (first === undefined) return true;
    const per = (x: PresenceStormResult) => [x.framesDelivered / x.users, x.serverCpuSeconds / x.users] as const;
    return rest.every((x) => per(x).every((v, i) => v <= 1.5 * (per(first)[i] ?? 0)));
  };
  const goal =
    'reconnect storm linear in users: frames and server CPU per user within 1.5× across sizes (scope all with per-change frames is N² by contract, not counted)';
  // One size (a quick run's) says nothing about growth.
  if ([...byConfig.values()].every((rows) => rows.length < 2)) {
    return { id: 'g', goal, measured: `one size per configuration (${storm[0]?.users} users): not judged`, met: undefined };
  }
  return {
    id: 'g',
    goal,
    measured: [...byConfig].map(([k, rows]) => `${k}: ${linear(rows) ? 'linear' : 'grows faster'}`).join('; '),
    met: [...byConfig].filter(([k]) => k !== 'all + frames').every(([, rows]) => linear(rows)),
  };
};
