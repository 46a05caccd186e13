import type { InviteRateLimit } from './rate-limit.js';
import type { EngagementRole } from './events.js';
import type { PointedInvitation } from './engaged.js';

/** Commands on one user's engagement stream; the invitation the pointer names arrives as a fact. */
export type EngagementCommand =
  | {
      readonly kind: 'ReserveEngagement';
      readonly userId: string;
      readonly inviteId: string;
      readonly role: EngagementRole;
      readonly at: string;
      readonly holdMs: number;
      /** The state of the invitation the caller found the user's pointer naming (undefined: no pointer). */
      readonly pointed: PointedInvitation | undefined;
      /** Applied to the inviter only. */
      readonly rateLimit: InviteRateLimit;
    }
  | { readonly kind: 'ReleaseEngagement'; readonly userId: string; readonly inviteId: string; readonly at: string };
