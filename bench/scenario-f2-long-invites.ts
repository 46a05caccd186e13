/** (f2): invitations after many finished ones, on a reopened store (long-invites.ts runs it). */
import type { LongInvitesResult } from './long-invites.js';
import type { Options } from './options.js';
import { BENCH_DIR, runJsonScript } from './processes.js';
import { fmt, type Goal, type Row } from './table.js';

/** N finished invitations seeded once (cached in .bench/), then the first invitation on the reopened store and 1,000 more. */
export const longInvitesScenario = (o: Options): Promise<LongInvitesResult> =>
  runJsonScript<LongInvitesResult>('long-invites.js', ['--invitations', String(o.longInvitations), '--cache-dir', BENCH_DIR], 90 * 60_000);

export const longInvitesRows = (li: LongInvitesResult | undefined): Row[] => {
  if (li === undefined) return [];
  const sc = `(f2) invitations after ${li.invitations.toLocaleString('en-US')} historic ones (${li.events.toLocaleString('en-US')} events)`;
  return [
    [sc, 'first invitation after reopening the store (ms)', fmt(li.firstInvitationMs), '', ''],
    [sc, '1,000 more: p50 / p99 / max (ms)', `${fmt(li.invitations1000.p50)} / ${fmt(li.invitations1000.p99)} / ${fmt(li.invitations1000.max)}`, '', ''],
  ];
};

export const longInvitesGoal = (li: LongInvitesResult | undefined): Goal | undefined =>
  li === undefined
    ? undefined
    : {
        id: 'f2',
        goal: `first invitation after a restart ≤ 20 ms with ${li.invitations.toLocaleString('en-US')} historic invitations`,
        measured: `${li.firstInvitationMs} ms; then p50 ${li.invitations1000.p50} p99 ${li.invitations1000.p99} ms`,
        met: li.firstInvitationMs <= 20,
      };
