import { expect } from 'chai';
import { heldUsername, NO_USERNAME, usernameClaimDecider, type ClaimUsername, type UsernameClaimEvent } from '../../src/domain/user/username-claim.js';
import { at, scenario } from './given-when-then.js';

const claims = scenario(usernameClaimDecider);
const claim = (userId: string, atS = 0): ClaimUsername => ({ kind: 'ClaimUsername', username: 'sam', userId, at: at(atS) });
const claimed = (userId: string, previousHolderId: string | null, atS = 0): UsernameClaimEvent => ({
  type: 'UsernameClaimed',
  data: { username: 'sam', userId, previousHolderId, at: at(atS) },
});

describe('username claim decider', () => {
  it('the first claim holds the name; the holder claiming again is a no-op', () => {
    claims
      .given([])
      .when(claim('x'))
      .then([claimed('x', null)])
      .when(claim('x', 5))
      .thenNothing();
  });

  it('a claim by another user names the previous holder; whoever claimed last holds it', () => {
    const taken = claims
      .given([claimed('x', null)])
      .when(claim('y', 5))
      .then([claimed('y', 'x', 5)]);
    expect(taken.state()).to.deep.equal({ holder: 'y' });
    const back = taken.when(claim('x', 9)).then([claimed('x', 'y', 9)]);
    expect(back.state()).to.deep.equal({ holder: 'x' });
  });

  it('shows a user with the username its record names only while it holds it (or while nobody ever claimed it)', () => {
    expect(heldUsername('x', 'sam', { holder: 'x' }, 0)).to.equal('sam');
    expect(heldUsername('x', 'sam', { holder: 'y' }, 1)).to.equal(NO_USERNAME);
    expect(heldUsername('x', 'sam', { holder: undefined }, -1), 'recorded before claims were').to.equal('sam');
  });
});
