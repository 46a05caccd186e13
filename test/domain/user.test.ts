import { expect } from 'chai';
import { NO_USERNAME, userDecider, type RegisterUser, type ReleaseUsername, type UserEvent } from '../../src/domain/user/user.js';
import { usernameClaimDecider, type ClaimUsername, type UsernameClaimEvent } from '../../src/domain/user/username-claim.js';
import { at, scenario } from './given-when-then.js';

const user = scenario(userDecider);

const profile = { username: 'alice', nickname: 'Alice', avatar: 'https://example.test/alice.png' };

const register = (overrides: Partial<RegisterUser> = {}, atS = 0): RegisterUser => ({ kind: 'RegisterUser', userId: 'alice-id', ...profile, at: at(atS), ...overrides });

const registered: UserEvent = { type: 'UserRegistered', data: { userId: 'alice-id', ...profile, at: at(0) } };

describe('user decider', () => {
  it('registers a user the first time it presents a token', () => {
    user.given([]).when(register()).then([registered]);
  });

  it('a later token with the same profile: no events', () => {
    user.given([registered]).when(register({}, 10)).thenNothing();
  });

  it('refreshes the nickname from a later token', () => {
    user
      .given([registered])
      .when(register({ nickname: 'Ally' }, 10))
      .then([{ type: 'UserProfileUpdated', data: { userId: 'alice-id', ...profile, nickname: 'Ally', at: at(10) } }]);
  });

  it('refreshes the avatar from a later token', () => {
    user
      .given([registered])
      .when(register({ avatar: 'https://example.test/new.png' }, 10))
      .then([{ type: 'UserProfileUpdated', data: { userId: 'alice-id', ...profile, avatar: 'https://example.test/new.png', at: at(10) } }]);
  });

  it('refreshes the username', () => {
    user
      .given([registered])
      .when(register({ username: 'alice2' }, 10))
      .then([{ type: 'UserProfileUpdated', data: { userId: 'alice-id', ...profile, username: 'alice2', at: at(10) } }]);
  });

  it('replaying the emitted events gives the profile later decisions compare with', () => {
    const updated = user
      .given([])
      .when(register())
      .then([registered])
      .when(register({}, 5))
      .thenNothing()
      .when(register({ nickname: 'Ally' }, 10))
      .then([{ type: 'UserProfileUpdated', data: { userId: 'alice-id', ...profile, nickname: 'Ally', at: at(10) } }]);
    updated.when(register({ nickname: 'Ally' }, 20)).thenNothing();
    expect(updated.state()).to.deep.equal({ known: true, userId: 'alice-id', ...profile, nickname: 'Ally' });
  });
});

describe('user decider: releasing a username', () => {
  const release = (username = 'alice', atS = 20): ReleaseUsername => ({ kind: 'ReleaseUsername', userId: 'alice-id', username, at: at(atS) });

  it('gives the name up, keeping nickname and avatar; the record then has no username', () => {
    const released = user
      .given([registered])
      .when(release())
      .then([{ type: 'UsernameReleased', data: { userId: 'alice-id', ...profile, at: at(20) } }]);
    expect(released.state()).to.deep.equal({ known: true, userId: 'alice-id', username: NO_USERNAME, nickname: 'Alice', avatar: profile.avatar });
    released.when(release('alice', 30)).thenNothing();
    // A later token of its own names a username again.
    released.when(register({}, 40)).then([{ type: 'UserProfileUpdated', data: { userId: 'alice-id', ...profile, at: at(40) } }]);
  });

  it('is a no-op for an unknown user or one that moved on to another name', () => {
    user.given([]).when(release()).thenNothing();
    user.given([registered]).when(register({ username: 'alice2' }, 10)).then([{ type: 'UserProfileUpdated', data: { userId: 'alice-id', ...profile, username: 'alice2', at: at(10) } }]).when(release()).thenNothing();
  });
});

describe('username claim decider', () => {
  const claims = scenario(usernameClaimDecider);
  const claim = (userId: string, unrecordedHolderId?: string, atS = 0): ClaimUsername => ({ kind: 'ClaimUsername', username: 'sam', userId, unrecordedHolderId, at: at(atS) });
  const claimed = (userId: string, previousHolderId: string | null, atS = 0): UsernameClaimEvent => ({
    type: 'UsernameClaimed',
    data: { username: 'sam', userId, previousHolderId, at: at(atS) },
  });

  it('the first claim holds the name; the holder claiming again is a no-op', () => {
    claims.given([]).when(claim('x')).then([claimed('x', null)]).when(claim('x', undefined, 5)).thenNothing();
  });

  it('a claim by another user names the previous holder, whichever claimed last holds it', () => {
    claims
      .given([claimed('x', null)])
      .when(claim('y', undefined, 5))
      .then([claimed('y', 'x', 5)])
      .when(claim('x', undefined, 9))
      .then([claimed('x', 'y', 9)]);
  });

  it('a name registered before claims were recorded: its holder is named once, not itself', () => {
    claims.given([]).when(claim('y', 'x')).then([claimed('y', 'x')]);
    claims.given([]).when(claim('x', 'x')).then([claimed('x', null)]);
    // Once the stream exists, the recorded holder wins over any lookup.
    claims.given([claimed('x', null)]).when(claim('y', 'z', 5)).then([claimed('y', 'x', 5)]);
  });
});
