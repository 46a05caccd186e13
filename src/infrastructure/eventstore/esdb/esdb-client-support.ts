import type { EventStoreDBClient, StreamingRead } from '@eventstore/db-client';

/**
 * All items of a finite client read. The error listener stays attached: the client emits
 * some errors directly on the stream, and an error without a listener would crash the process.
 */
export const drain = <T>(read: StreamingRead<T>): Promise<T[]> =>
  new Promise<T[]>((resolve, reject) => {
    const items: T[] = [];
    read.on('data', (item: T) => items.push(item));
    read.on('error', reject);
    read.once('end', () => resolve(items));
  });

const hasMethod = <K extends string>(v: unknown, key: K): v is Record<K, () => unknown> =>
  typeof v === 'object' && v !== null && typeof (v as Partial<Record<K, unknown>>)[key] === 'function';

/**
 * Closes the client's gRPC channel. `client.dispose()` (6.x) only cancels streaming calls; a
 * unary call pending against a silent server (its server-features probe has no deadline)
 * would otherwise keep the channel, and the process, alive forever. `getChannel` is protected
 * in the typings but a plain property at run time; without it there is nothing we can close.
 */
export const closeChannel = async (client: EventStoreDBClient): Promise<void> => {
  const owner: unknown = client;
  if (!hasMethod(owner, 'getChannel')) return;
  const channel: unknown = await owner.getChannel();
  if (hasMethod(channel, 'close')) channel.close();
};
