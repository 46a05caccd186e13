import { expect } from 'chai';
import { userDecider, type RegisterUser, type UserEvent } from '../../src/domain/user/user.js';
import { at, scenario } from './given-when-then.js';

const user = scenario(userDecider);

const profile = { username: 'alice', nickname: 'Alice', avatar: 'https://example.test/alice.png' };

const register = (overrides: Partial<RegisterUser> = {}, atS = 0): RegisterUser => ({
  kind: 'RegisterUser',
  userId: 'alice-id',
  ...profile,
  at: at(atS),
  ...overrides,
});

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
