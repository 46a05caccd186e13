import { userStream } from '../../domain/user/user.js';
import { heldUsername, usernameStream } from '../../domain/user/username-claim.js';
import type { Aggregates } from '../aggregates/aggregates.js';
import type { ProfileView } from '../broadcast/delivery.js';
import type { UsernameIndex } from '../erasure/username-index.js';

/**
 * Profiles for frames, read from the users' own streams (through the repository's cache), not a
 * lagging read model. A user that no longer holds the username its record names (another user
 * claimed it since) is shown without one, as the read models show it; an erased user by its alias,
 * with empty nickname and avatar.
 */
export class ProfileDirectory {
  constructor(
    private readonly aggregates: Pick<Aggregates, 'user' | 'usernameClaim'>,
    private readonly usernames: Pick<UsernameIndex, 'hash'>,
  ) {}

  async resolve(userIds: readonly string[]): Promise<(userId: string) => ProfileView> {
    const found = new Map<string, ProfileView>();
    for (const userId of new Set(userIds)) {
      const { state } = await this.aggregates.user.load(userStream(userId));
      if (!state.known) {
        if (state.erasedAs !== undefined) found.set(userId, { userId, username: state.erasedAs, nickname: '', avatar: '', erased: true });
        continue;
      }
      const claim = await this.aggregates.usernameClaim.load(usernameStream(this.usernames.hash(state.username)));
      found.set(userId, {
        userId,
        username: heldUsername(userId, state.username, claim.state, claim.revision),
        nickname: state.nickname,
        avatar: state.avatar,
      });
    }
    return (userId) => found.get(userId) ?? { userId, username: userId, nickname: userId, avatar: '' };
  }
}
