/**
 * The log processor's one retry policy, for its consumers and its live feed alike: after the
 * n-th fault in a row, wait 100 ms · 2ⁿ, at most 5 s. Progress in between starts the count over,
 * so a fault after hours of work is retried at once, not after the wait earned by earlier ones.
 */
export const retryDelayMs = (faultsInARow: number): number => Math.min(5000, 100 * 2 ** faultsInARow);

/** Resolves after `ms`, or as soon as `cancelled` is called. */
export const pause = (ms: number): { readonly done: Promise<void>; cancel(): void } => {
  let cancel = (): void => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    cancel = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, cancel };
};
