import { blockedEitherWay, blocksStream } from '../../domain/blocks/blocks.js';
import type { CommandDeps } from '../shared/deps.js';

/** Whether either user blocked the other, from both users' block streams (not a lagging read model). */
export const isBlockedEitherWay = async (deps: CommandDeps, a: string, b: string): Promise<boolean> => {
  const { blocks } = deps.aggregates;
  const [sa, sb] = await Promise.all([blocks.load(blocksStream(a)), blocks.load(blocksStream(b))]);
  return blockedEitherWay(a, sa.state, b, sb.state);
};
