import { describeEvent } from '../features.js';
import type { Stored } from '../log/stored.js';
import { formatPosition } from '../ports/position.js';
import type { ProfileDirectory } from '../users/profile-directory.js';
import { usersInvolved } from './describe-event.js';

/** Readable lines of events: time, position, type, actor and what happened, users shown by their usernames; erased ones marked. */
export const timelineOf = async (events: readonly Stored[], profiles: ProfileDirectory): Promise<string[]> => {
  const ids = new Set<string>();
  for (const { event, recorded } of events) {
    if (recorded.metadata.userId !== undefined) ids.add(recorded.metadata.userId);
    for (const id of usersInvolved(event)) ids.add(id);
  }
  const names = await profiles.resolve([...ids]);
  const u = (id: string) => names(id).username;
  return events.map(({ event, recorded: r, erased }) => {
    const actor = r.metadata.userId === undefined ? 'system' : u(r.metadata.userId);
    const line = `${r.metadata.timestamp}  @${formatPosition(r.position).padEnd(8)} ${r.type.padEnd(26)} ${actor.padEnd(16)} ${describeEvent(event, u)}`;
    return erased ? `${line} [personal data erased]` : line;
  });
};
