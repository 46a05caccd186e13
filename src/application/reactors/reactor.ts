import type { EventType } from '../../domain/events.js';
import type { Stored } from '../log/stored.js';

/**
 * A follow-up policy: what must happen once an event is stored ("went offline, so withdraw the
 * invitations"). It reacts to each event of its types exactly as often as the event is
 * delivered, and must be idempotent: after a crash the event may be delivered again.
 */
export interface Reactor {
  readonly name: string;
  readonly eventTypes: readonly EventType[];
  react(stored: Stored): Promise<void>;
}
