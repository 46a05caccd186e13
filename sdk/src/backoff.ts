export interface BackoffOptions {
  /** The first delay's ceiling (default 500 ms). */
  readonly baseMs?: number;
  /** The ceiling of every delay (default 30 s). */
  readonly maxMs?: number;
}

/**
 * Exponential back-off with jitter: attempt n (from 0) waits between half and all of
 * min(max, base · 2ⁿ), `random()` in [0, 1) choosing where.
 */
export const backoffDelay = (attempt: number, random: () => number, options: BackoffOptions = {}): number => {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
};
