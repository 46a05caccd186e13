/** An operation did not settle within its bound. */
export class TimeoutError extends Error {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    message = `${operation} did not complete within ${timeoutMs} ms`,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface TimeoutOptions {
  /** Called once when the bound is hit, after rejecting: e.g. to cancel the underlying call. */
  readonly onTimeout?: () => void;
  /** The error to reject with; a TimeoutError by default. */
  readonly error?: (operation: string, timeoutMs: number) => Error;
}

/** setTimeout fires at once for delays above this, so larger bounds mean "unbounded". */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Settles as `work` does, or rejects once `ms` have passed. `work` itself is not stopped (pass
 * `onTimeout` for that); its late outcome is ignored rather than left as an unhandled rejection.
 */
export const withTimeout = <T>(work: Promise<T>, ms: number, operation: string, options: TimeoutOptions = {}): Promise<T> => {
  if (!(ms > 0 && ms <= MAX_TIMER_MS)) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(options.error?.(operation, ms) ?? new TimeoutError(operation, ms));
      try {
        options.onTimeout?.();
      } catch {
        // Cleanup is best effort: the caller already has its timeout error.
      }
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
};
