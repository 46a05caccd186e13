import cliProgress from 'cli-progress';
import type { Position } from '../../application/ports/event-store.js';

/**
 * A progress bar on stderr with events and events/s, drawn only when stderr is a terminal and
 * the work has lasted a second (a short run prints its summary line alone).
 */
export interface Progress {
  /** `fraction` of the work done (0..1), `events` handled so far. */
  update(fraction: number, events: number): void;
  stop(): void;
}

const SHOW_AFTER_MS = 1000;

const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

export const progressBar = (label: string, stream: NodeJS.WriteStream = process.stderr): Progress => {
  if (stream.isTTY !== true) return NO_PROGRESS;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {events} events | {rate} events/s`, hideCursor: true, stream, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let drawn = false;
  let stopped = false;
  return {
    update: (fraction, events) => {
      if (stopped) return;
      const elapsed = Date.now() - started;
      if (!drawn) {
        if (elapsed < SHOW_AFTER_MS) return;
        drawn = true;
        bar.start(1000, 0, { events: 0, rate: 0 });
      }
      const rate = Math.round(events / Math.max(elapsed / 1000, 0.001));
      bar.update(Math.round(Math.min(Math.max(fraction, 0), 1) * 1000), { events, rate });
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (drawn) bar.stop();
    },
  };
};

/** How far `position` is towards `head` (positions grow with the log). */
export const fractionOf = (position: Position, head: Position | undefined): number =>
  head === undefined || head.commit === 0n ? 1 : Number((position.commit * 1000n) / head.commit) / 1000;
