/** (f1): the first command on one long chat after a restart, with its snapshot and without (long-chat.ts runs it). */
import type { LongChatResult } from './long-chat.js';
import type { Options } from './options.js';
import { runJsonScript } from './processes.js';
import { fmt, type Goal, type Row } from './table.js';

/** One chat of N stored messages, snapshotted; its first command after a restart, then warm, and cold without the snapshot. */
export const longChatScenario = (o: Options): Promise<LongChatResult> =>
  runJsonScript<LongChatResult>('long-chat.js', ['--messages', String(o.longChatMessages)], 90 * 60_000);

export const longChatRows = (lc: LongChatResult | undefined): Row[] => {
  if (lc === undefined) return [];
  const sc = `(f1) one chat of ${lc.messages.toLocaleString('en-US')} stored messages, after a restart`;
  return [
    [
      sc,
      'cold first command with its snapshot (ms) / RSS added after a GC (MiB) / heap added (MiB)',
      `${fmt(lc.coldMs)} / ${fmt(lc.coldRssMiB)} / ${fmt(lc.coldHeapMiB)}`,
      '',
      '',
    ],
    [sc, 'RSS added by a command on a chat already loaded, the control (MiB)', fmt(lc.controlRssMiB), '', ''],
    [sc, 'warm p50 / p99 (ms)', `${fmt(lc.warmP50Ms)} / ${fmt(lc.warmP99Ms)}`, '', ''],
    [
      sc,
      'cold without the snapshot, the stream replayed (ms) / RSS added (MiB)',
      `${fmt(lc.withoutSnapshotColdMs, 0)} / ${fmt(lc.withoutSnapshotRssMiB)}`,
      '',
      '',
    ],
    [sc, 'snapshot size (KiB)', fmt(lc.snapshotKiB, 1), '', ''],
  ];
};

export const longChatGoal = (lc: LongChatResult | undefined): Goal | undefined =>
  lc === undefined
    ? undefined
    : {
        id: 'f1',
        goal: `cold first command ≤ 20 ms and ≤ 1 MiB RSS added, ${lc.messages.toLocaleString('en-US')} stored messages`,
        measured:
          `${lc.coldMs} ms, +${lc.coldRssMiB} MiB RSS (+${lc.coldHeapMiB} MiB heap) after a GC on the idle process (a command on a loaded chat: +${lc.controlRssMiB} MiB); ` +
          `without the snapshot ${lc.withoutSnapshotColdMs} ms, +${lc.withoutSnapshotRssMiB} MiB`,
        met: lc.coldMs <= 20 && lc.coldRssMiB <= 1,
        verdict: `${lc.coldMs <= 20 ? 'yes' : '**no**'} (time); ${lc.coldRssMiB <= 1 ? 'yes' : '**no**'} (RSS)`,
      };
