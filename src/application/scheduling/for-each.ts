import type { JobContext } from './job.js';

/**
 * Runs `work` for every item, `concurrency` at a time (appends to different streams batch in the
 * store's group commit), touching the job as it goes. One item failing does not stop the others:
 * the failures are thrown together at the end, so the job is marked failed and runs again.
 */
export const forEachConcurrently = async <T>(items: readonly T[], concurrency: number, ctx: JobContext, work: (item: T) => Promise<unknown>): Promise<void> => {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        await work(items[i] as T);
      } catch (err) {
        errors.push(err);
      }
      await ctx.touch();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} of ${items.length} items failed`);
};
