import type { UserIdentity } from '../../domain/user/identity.js';
import type { ServerFrame } from '../wire/server-frames.js';

export type Group = `user_${string}` | `chat_${string}` | 'online_users';

export const userGroup = (userId: string): Group => `user_${userId}`;
export const chatGroup = (chatId: string): Group => `chat_${chatId}`;
export const ONLINE_USERS: Group = 'online_users';

/** The contract's per-change presence frames; batched sockets get `presence_state` / `presence_diff` instead. */
export const isPresenceFrame = (frame: ServerFrame): boolean => frame.action === 'user_online' || frame.action === 'user_offline';

/** Who gets a user's presence frames: `online_users` (scope `all`), or their contacts' `user_{id}` groups (scope `contacts`). */
export type PresenceAudience = (userId: string) => readonly Group[];
export const EVERYONE_ONLINE: PresenceAudience = () => [ONLINE_USERS];

/** What the broadcaster does for one event: frames to groups, and sockets joining chat groups. */
export type Delivery =
  /** `exceptUserIds`: users whose sockets in the group do not get the frame. */
  | { readonly kind: 'send'; readonly group: Group; readonly frame: ServerFrame; readonly exceptUserIds?: readonly string[] }
  | { readonly kind: 'join'; readonly userId: string; readonly group: Group };

/** How a user is shown in frames: its profile as its own stream has it (users/profile-directory.ts); `erased` once the user was. */
export type ProfileView = UserIdentity & { readonly erased?: true };

/** `{ erased: true }` for an erased user, to spread into the frames (and notifications) about them; nothing otherwise. */
export const erasedMark = (user: { readonly erased?: true } | undefined): { readonly erased?: true } => (user?.erased === true ? { erased: true } : {});

/** Whether `blockerId` has blocked `blockedId`, from the block events before the one being framed (blocks/block-graph.ts). */
export type BlockedView = (blockerId: string, blockedId: string) => boolean;
export const NO_BLOCKS: BlockedView = () => false;

/** What a frame rule gets besides the event: its position, the profiles it asked for, the presence routing, who blocked whom. */
export interface FrameContext {
  readonly position: string;
  readonly profile: (userId: string) => ProfileView;
  readonly presenceAudience: PresenceAudience;
  /** One of the event's personal fields was erased (its owner was). */
  readonly erased: boolean;
  readonly blocked: BlockedView;
}

/** `frame` (made with `frameOf`) to `group`. */
export const send = (group: Group, frame: ServerFrame, exceptUserIds?: readonly string[]): Delivery => ({
  kind: 'send',
  group,
  frame,
  ...(exceptUserIds === undefined ? {} : { exceptUserIds }),
});

/** One frame to several groups: the same frame object (one position, serialised once by the hub). */
export const sendToAll = (groups: readonly Group[], frame: ServerFrame): Delivery[] => groups.map((group) => send(group, frame));

export const join = (userId: string, group: Group): Delivery => ({ kind: 'join', userId, group });

/** Whether a send delivery reaches a socket of `userId`. */
export const reaches = (d: Extract<Delivery, { kind: 'send' }>, userId: string): boolean => d.exceptUserIds?.includes(userId) !== true;
