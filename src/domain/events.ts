import { blocksEvents } from './blocks/blocks.js';
import { chatEvents } from './chat/events.js';
import { engagementEvents } from './engagement/events.js';
import { inboxEvents } from './inbox/inbox.js';
import { inviteEvents } from './invite/events.js';
import { presenceEvents } from './presence/events.js';
import type { EventSet } from './shared/event.js';
import { friendsEvents } from './social/friends.js';
import { tournamentEvents } from './social/tournament.js';
import { userEvents } from './user/user.js';
import { usernameClaimEvents } from './user/username-claim.js';

/** Every event the domain emits: each decider's set, so an event is declared once, beside its decider. */
export const domainEvents = userEvents
  .union(usernameClaimEvents)
  .union(blocksEvents)
  .union(chatEvents)
  .union(inviteEvents)
  .union(engagementEvents)
  .union(presenceEvents)
  .union(inboxEvents)
  .union(friendsEvents)
  .union(tournamentEvents);

export type AnyDomainEvent = typeof domainEvents extends EventSet<infer E> ? E : never;
export type EventType = AnyDomainEvent['type'];

/** The event of one type. */
export type EventOfType<T extends EventType> = Extract<AnyDomainEvent, { readonly type: T }>;

/** An event of one of the types `T`: generic code over it can call a handler keyed by its type (features.ts). */
export type EventAs<T extends EventType> = { [K in T]: EventOfType<K> }[T];
