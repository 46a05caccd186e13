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

/** Commands of this kind fail with `err` until restored; all others run as usual. */
export const failCommand = (service: RunningService, kind: string, err = new Error(`injected ${kind} fault`)): (() => void) => {
  const repo = service.deps.repo;
  return inject(
    repo,
    'execute',
    (original) =>
      ((...args: Parameters<typeof repo.execute>) => {
        const command = args[2] as { readonly kind?: string };
        if (command.kind === kind) return Promise.reject(err);
        return original.apply(repo, args);
      }) as typeof repo.execute,
  );
};

/** The user ids online once the read models reached the log's head. */
export const onlineNow = async (service: RunningService): Promise<ReadonlySet<string>> => {
  const head = await service.store.headPosition();
  if (head !== undefined && !(await service.projections.tracker.waitFor(head, 5000))) throw new Error('read models did not catch up');
  return new Set(await service.readModels.onlineUserIds());
};
