import { expect } from 'chai';
import { userDecider, type RegisterUser, type UserCommand, type UserEvent } from '../../src/domain/user/user.js';
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

describe('user decider: erasure', () => {
  const request = (keyIds: readonly string[] = ['k1'], atS = 20): UserCommand => ({ kind: 'RequestErasure', userId: 'alice-id', keyIds, at: at(atS) });
  const complete = (atS = 30): UserCommand => ({ kind: 'CompleteErasure', userId: 'alice-id', alias: 'erased-abc', at: at(atS) });
  const requested: UserEvent = { type: 'ErasureRequested', data: { userId: 'alice-id', keyIds: ['k1'], at: at(20) } };
  const erased: UserEvent = { type: 'UserErased', data: { userId: 'alice-id', alias: 'erased-abc', at: at(30) } };

  it('a known user: the request (naming the keys to destroy), then the erased event', () => {
    user.given([registered]).when(request()).then([requested]).when(complete()).then([erased]);
  });

  it('an unknown user cannot be erased', () => {
    user.given([]).when(request()).thenRefused('user_not_found');
  });

  it('a request already stored is not stored again; completing without a request stores nothing', () => {
    user
      .given([registered, requested])
      .when(request(['k2']))
      .thenNothing();
    user.given([registered]).when(complete()).thenNothing();
  });

  it('an erased user: requesting or completing again stores nothing, and it is known as erased', () => {
    const g = user.given([registered, requested, erased]);
    g.when(request()).thenNothing();
    g.when(complete()).thenNothing();
    expect(g.state()).to.deep.equal({ known: false, erasedAs: 'erased-abc' });
  });

  it('a token presented while the erasure runs updates the profile without cancelling the erasure', () => {
    const g = user
      .given([registered, requested])
      .when(register({ nickname: 'Later' }, 25))
      .then([{ type: 'UserProfileUpdated', data: { userId: 'alice-id', ...profile, nickname: 'Later', at: at(25) } }]);
    g.when(complete()).then([erased]);
  });

  it('an erased user presenting a token again is registered afresh', () => {
    user
      .given([registered, requested, erased])
      .when(register({}, 40))
      .then([{ type: 'UserRegistered', data: { userId: 'alice-id', ...profile, at: at(40) } }]);
  });
});
