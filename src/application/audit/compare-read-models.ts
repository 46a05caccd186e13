import { isDeepStrictEqual } from 'node:util';
import type { Page, PageRequest, ReadModelQueries } from '../ports/read-model.js';

const PAGE = 100;

const show = (v: unknown): string => (JSON.stringify(v) ?? 'nothing').slice(0, 400);

const itemsOf = (v: unknown): readonly unknown[] | undefined =>
  typeof v === 'object' && v !== null && 'items' in v && Array.isArray(v.items) ? v.items : undefined;

const everything = async <T>(read: (page: PageRequest) => Promise<Page<T>>): Promise<{ items: T[]; count: number }> => {
  const items: T[] = [];
  let count = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await read({ limit: PAGE, offset });
    items.push(...page.items);
    count = page.count;
    if (page.items.length < PAGE) return { items, count };
  }
};

const allUserIds = async (q: ReadModelQueries): Promise<string[]> => {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await q.userIdsAfter(after, 1000);
    ids.push(...page);
    if (page.length < 1000) return ids;
    after = page[page.length - 1];
  }
};

/**
 * Differences between two read-model stores, compared through the queries clients use (so a
 * SQLite and a MongoDB store compare alike). Empty when they answer every query the same.
 */
export const compareReadModels = async (expected: ReadModelQueries, actual: ReadModelQueries, maxDifferences = 50): Promise<string[]> => {
  const differences: string[] = [];
  const check = (what: string, want: unknown, got: unknown): void => {
    if (differences.length >= maxDifferences || isDeepStrictEqual(want, got)) return;
    const [w, g] = [itemsOf(want), itemsOf(got)];
    if (w !== undefined && g !== undefined) {
      // Point at the first differing row rather than two long lists.
      const i = w.findIndex((item, k) => !isDeepStrictEqual(item, g[k]));
      const at = i < 0 ? Math.min(w.length, g.length) : i;
      differences.push(`${what}, item ${at}: expected ${show(w[at])} but the store has ${show(g[at])} (${w.length} vs ${g.length} items)`);
      return;
    }
    differences.push(`${what}: expected ${show(want)} but the store has ${show(got)}`);
  };
  const users = [...new Set([...(await allUserIds(expected)), ...(await allUserIds(actual))])].sort();
  check('online users', [...(await expected.onlineUserIds())].sort(), [...(await actual.onlineUserIds())].sort());
  const chats = new Set<string>();
  for (const userId of users) {
    check(`user ${userId}`, await expected.userById(userId), await actual.userById(userId));
    const [wantChats, gotChats] = [await expected.chatIdsOf(userId), await actual.chatIdsOf(userId)];
    check(`chats of ${userId}`, [...wantChats].sort(), [...gotChats].sort());
    for (const c of [...wantChats, ...gotChats]) chats.add(c);
    check(`chat previews of ${userId}`, await everything((p) => expected.chatPreviews(userId, p)), await everything((p) => actual.chatPreviews(userId, p)));
    check(
      `notifications of ${userId}`,
      await everything((p) => expected.notifications(userId, 'all', p)),
      await everything((p) => actual.notifications(userId, 'all', p)),
    );
    check(`blocks of ${userId}`, await everything((p) => expected.blocks(userId, p)), await everything((p) => actual.blocks(userId, p)));
    if (differences.length >= maxDifferences) return differences;
  }
  for (const chatId of [...chats].sort()) {
    check(`chat ${chatId}`, await expected.chat(chatId), await actual.chat(chatId));
    check(`messages of chat ${chatId}`, await everything((p) => expected.messages(chatId, p)), await everything((p) => actual.messages(chatId, p)));
    if (differences.length >= maxDifferences) return differences;
  }
  return differences;
};
