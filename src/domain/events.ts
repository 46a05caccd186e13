import type { BlocksEvent } from './blocks/blocks.js';
import type { ChatEvent } from './chat/events.js';
import type { EngagementEvent } from './engagement/events.js';
import type { InboxEvent } from './inbox/inbox.js';
import type { InviteEvent } from './invite/events.js';
import type { PresenceEvent } from './presence/events.js';
import type { FriendsEvent } from './social/friends.js';
import type { TournamentEvent } from './social/tournament.js';
import type { UserEvent } from './user/user.js';
import type { UsernameClaimEvent } from './user/username-claim.js';

/** Every event the domain emits; projections and the broadcaster switch over this union. */
export type AnyDomainEvent =
  UserEvent | UsernameClaimEvent | BlocksEvent | ChatEvent | InviteEvent | EngagementEvent | PresenceEvent | InboxEvent | FriendsEvent | TournamentEvent;

export type EventType = AnyDomainEvent['type'];
