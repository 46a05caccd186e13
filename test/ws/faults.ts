import type { RunningService } from '../../src/interfaces/service.js';

/**
 * Fault injection on a running service: replaces one method of one of its objects until the
 * returned restore is called. Used to make a set-up step, a store read or the broadcaster's
 * profile lookups fail (or stall) on demand, through the real code paths.
 */
export const inject = <T extends object, K extends keyof T>(target: T, key: K, replacement: (original: T[K]) => T[K]): (() => void) => {
  const original = target[key];
  target[key] = replacement(original);
  return () => {
    target[key] = original;
  };
};

/** Commands of this kind fail with `err` until restored, whatever aggregate runs them; all others run as usual. */
export const failCommand = (service: RunningService, kind: string, err = new Error(`injected ${kind} fault`)): (() => void) => {
  const restores = Object.values(service.deps.aggregates).map((aggregate: { execute: (...args: never[]) => Promise<unknown> }) =>
    inject(
      aggregate,
      'execute',
      (original) =>
        ((...args: never[]) => {
          const command = args[1] as unknown as { readonly kind?: string } | undefined;
          if (command?.kind === kind) return Promise.reject(err);
          return original.apply(aggregate, args);
        }) as typeof original,
    ),
  );
  return () => restores.forEach((restore) => restore());
};

/** The user ids online once the read models reached the log's head. */
export const onlineNow = async (service: RunningService): Promise<ReadonlySet<string>> => {
  const head = await service.store.headPosition();
  if (head !== undefined && !(await service.projection.tracker.waitFor(head, 5000))) throw new Error('read models did not catch up');
  return new Set(await service.readSide.current.onlineUserIds());
};
