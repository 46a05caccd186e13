/** The results table's cells: a row per metric, a goal per scenario, and how both are rendered in markdown. */
import { round } from './stats.js';

/** scenario, metric, chat-events, baseline relay, ratio. */
export type Row = readonly [scenario: string, metric: string, ours: string, base: string, ratio: string];

export interface Goal {
  readonly id: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  /** Overrides the yes/no/n/a rendering. */
  readonly verdict?: string;
}

export const fmt = (x: number | undefined, digits = 2): string => (x === undefined ? '–' : String(round(x, digits)));

export const ratio = (ours: number | undefined, base: number | undefined): string =>
  ours === undefined || base === undefined || base === 0 ? '–' : `${round(ours / base, 2)}×`;

/** The scenario table, then the goals table. */
export const renderTables = (rows: readonly Row[], goals: readonly Goal[]): string => {
  const header = '| scenario | metric | chat-events | baseline relay | ratio |\n|---|---|---:|---:|---:|';
  const body = rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const goalRows = goals
    .map((g) => `| (${g.id}) | ${g.goal} | ${g.measured} | ${g.verdict ?? (g.met === undefined ? 'n/a' : g.met ? 'yes' : '**no**')} |`)
    .join('\n');
  return `${header}\n${body}\n\n| goal | target | measured | met |\n|---|---|---|---|\n${goalRows}\n`;
};

/** A metric of both columns, with their ratio. */
export const comparedRow = (scenario: string, metric: string, ours: number | undefined, base: number | undefined, digits = 2): Row => [
  scenario,
  metric,
  fmt(ours, digits),
  fmt(base, digits),
  ratio(ours, base),
];
