import { blocksDecider } from '../../domain/blocks/blocks.js';
import { chatDecider } from '../../domain/chat/chat.js';
import { engagementDecider } from '../../domain/engagement/engagement.js';
import { inboxDecider } from '../../domain/inbox/inbox.js';
import { inviteDecider } from '../../domain/invite/invite.js';
import { presenceDecider } from '../../domain/presence/presence.js';
import { friendsDecider } from '../../domain/social/friends.js';
import { tournamentDecider } from '../../domain/social/tournament.js';
import { userDecider } from '../../domain/user/user.js';
import { usernameClaimDecider } from '../../domain/user/username-claim.js';
import { chatSnapshot } from './chat-snapshot.js';
import { engagementSnapshot } from './engagement-snapshot.js';
import { presenceSnapshot } from './presence-snapshot.js';
import type { AggregateRepository } from './repository.js';

/**
 * Every decider as the command handlers use it. Those whose streams grow without bound opt into
 * snapshots with their codecs (io-ts at this edge, so the domain stays free of storage shapes).
 */
export const aggregatesOf = (repo: AggregateRepository) => ({
  user: repo.aggregate(userDecider),
  usernameClaim: repo.aggregate(usernameClaimDecider),
  blocks: repo.aggregate(blocksDecider),
  chat: repo.aggregate({ ...chatDecider, snapshot: chatSnapshot }),
  invite: repo.aggregate(inviteDecider),
  engagement: repo.aggregate({ ...engagementDecider, snapshot: engagementSnapshot }),
  presence: repo.aggregate({ ...presenceDecider, snapshot: presenceSnapshot }),
  inbox: repo.aggregate(inboxDecider),
  friends: repo.aggregate(friendsDecider),
  tournament: repo.aggregate(tournamentDecider),
});

export type Aggregates = ReturnType<typeof aggregatesOf>;
