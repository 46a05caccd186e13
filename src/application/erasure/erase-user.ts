import { isRefusal } from '../../domain/shared/decision.js';
import { userStream } from '../../domain/user/user.js';
import type { Aggregates } from '../aggregates/aggregates.js';
import type { LogProcessor } from '../log/log-processor.js';
import { metaOf } from '../shared/deps.js';
import type { KeyStore } from './key-store.js';
import type { PersonalData } from './personal-data.js';

export interface ErasureDeps {
  readonly user: Aggregates['user'];
  readonly keys: Pick<KeyStore, 'keyIdsOf' | 'destroyKeysOf' | 'destroyKeys'>;
  /** Its `aliasOf` names the erased user; its caches of the user are dropped once the keys are gone. */
  readonly personal: Pick<PersonalData, 'aliasOf' | 'forgetUser'>;
  readonly now: () => Date;
  readonly newId: () => string;
}

export type ErasureOutcome =
  | { readonly _tag: 'Erased'; readonly keysDestroyed: number }
  /** Erased before (and not registered since); keys of theirs found anyway (a restored backup) were destroyed again. */
  | { readonly _tag: 'AlreadyErased'; readonly keysDestroyed: number }
  | { readonly _tag: 'UnknownUser' };

/**
 * Erases a user (crypto-shredding): stores the request (with the ids of the keys to destroy),
 * destroys every key of the user, stores that the user was erased. Each step is safe to repeat,
 * and a request without its last event is finished by `finishErasures` at the next start (or by
 * erasing again). Nothing stored changes: what was sealed with the keys can no longer be opened,
 * in the log, its exports and its backups alike.
 */
export const eraseUser = async (deps: ErasureDeps, userId: string): Promise<ErasureOutcome> => {
  const stream = userStream(userId);
  const { state } = await deps.user.load(stream, { verify: true });
  if (!state.known) {
    if (state.erasedAs === undefined) return { _tag: 'UnknownUser' };
    const keysDestroyed = await deps.keys.destroyKeysOf([userId]);
    deps.personal.forgetUser(userId);
    return { _tag: 'AlreadyErased', keysDestroyed };
  }
  if (state.erasing !== true) {
    const keyIds = [...(await deps.keys.keyIdsOf([userId])).values()];
    const at = deps.now().toISOString();
    const requested = await deps.user.execute(stream, { kind: 'RequestErasure', userId, keyIds, at }, metaOf(undefined, deps.newId(), at));
    if (isRefusal(requested)) return { _tag: 'UnknownUser' };
  }
  return { _tag: 'Erased', keysDestroyed: await completeErasure(deps, userId) };
};

/** The steps after the request: keys destroyed, then the erased event; answers how many keys were destroyed. */
const completeErasure = async (deps: ErasureDeps, userId: string): Promise<number> => {
  const keysDestroyed = await deps.keys.destroyKeysOf([userId]);
  deps.personal.forgetUser(userId);
  const at = deps.now().toISOString();
  const completed = await deps.user.execute(
    userStream(userId),
    { kind: 'CompleteErasure', userId, alias: deps.personal.aliasOf(userId), at },
    metaOf(undefined, deps.newId(), at),
  );
  if (isRefusal(completed)) throw new Error(`erasing ${userId}: the erased event was refused (${completed.code})`);
  return keysDestroyed;
};

export interface ErasuresFinished {
  /** Users whose interrupted erasure was completed. */
  readonly completed: readonly string[];
  /** Keys of erased users found in the key store (a restored backup) and destroyed. */
  readonly keysDestroyed: number;
}

/**
 * At start, before anything reads personal data: every erasure request in the log is carried to
 * its end (a crash may have stopped it after the request or after destroying the keys), and every
 * key an erasure named, or any key of a user erased and not registered since, is destroyed again:
 * a key store restored from a backup taken before an erasure must not bring the data back.
 */
export const finishErasures = async (deps: ErasureDeps & { readonly log: Pick<LogProcessor, 'pages'> }): Promise<ErasuresFinished> => {
  const named = new Map<string, Set<string>>();
  for await (const page of deps.log.pages({ filter: { eventTypes: ['ErasureRequested'] }, pageSize: 5000 }))
    for (const { event } of page.events) {
      if (event.type !== 'ErasureRequested') continue;
      const ids = named.get(event.data.userId) ?? new Set<string>();
      for (const id of event.data.keyIds) ids.add(id);
      named.set(event.data.userId, ids);
    }
  const completed: string[] = [];
  let keysDestroyed = 0;
  for (const [userId, keyIds] of named) {
    const { state } = await deps.user.load(userStream(userId), { verify: true });
    if (state.known && state.erasing === true) {
      keysDestroyed += await completeErasure(deps, userId);
      completed.push(userId);
      continue;
    }
    // Registered afresh since: only the keys the erasure destroyed; otherwise any key of theirs.
    const destroyed = (await deps.keys.destroyKeys([...keyIds])) + (state.known ? 0 : await deps.keys.destroyKeysOf([userId]));
    if (destroyed > 0) deps.personal.forgetUser(userId);
    keysDestroyed += destroyed;
  }
  return { completed, keysDestroyed };
};
