import type { InboxCommand } from '../../domain/inbox/inbox.js';
import { inboxStream } from '../../domain/inbox/inbox.js';
import { isRefusal, ok, type Outcome } from '../../domain/shared/decision.js';
import type { Position } from '../ports/event-store.js';
import { metaOf, type Actor, type CommandDeps } from '../shared/deps.js';

/** A command on the acting user's own inbox stream. */
export const onInbox = async (
  deps: CommandDeps,
  actor: Actor,
  command: InboxCommand,
  correlationId: string,
): Promise<Outcome<{ position: Position | undefined }>> => {
  const result = await deps.aggregates.inbox.execute(inboxStream(actor.userId), command, metaOf(actor, correlationId, command.at));
  return isRefusal(result) ? result : ok({ position: result.position });
};
