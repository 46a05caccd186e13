import { expect } from 'chai';
import { decodeFrame, MAX_FRAME_DEPTH, nestingDepth } from '../../src/interfaces/ws/decode-frame.js';
import { generateFrame } from '../support/fuzz-frames.js';
import { prng } from '../support/prng.js';

describe('decodeFrame (pure): never throws, whatever the text', () => {
  it('measures nesting outside strings only', () => {
    expect(nestingDepth('{"a":[1,{"b":2}]}', 10)).to.equal(3);
    expect(nestingDepth('{"a":"[[[[{{{{"}', 10)).to.equal(1);
    expect(nestingDepth('{"a":"\\"[[["}', 10)).to.equal(1);
    expect(nestingDepth('['.repeat(100), 10)).to.equal(11);
  });

  it(`refuses nesting past ${MAX_FRAME_DEPTH} before parsing, and accepts every real action's depth`, () => {
    const deep = `{"action":"join_chat","data":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const r = decodeFrame(deep);
    expect(r.ok).to.equal(false);
    const invite = decodeFrame(
      JSON.stringify({ action: 'game_invite', data: { username: 'bob', client_id: '0d5c3b8e-5d7e-4b8a-9d51-1c8a7e3f0a11', options: { score_to_win: 5 } } }),
    );
    expect(invite.ok).to.equal(true);
  });

  it('a failure report names the path and the expected type, never the value', () => {
    const r = decodeFrame(JSON.stringify({ action: 'reply_game_invite', data: { username: 'bob', accept: 'x'.repeat(10_000) } }));
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.reason).to.include('accept').and.include('boolean');
    expect(r.reason.length).to.be.below(300);
  });

  it('20,000 generated frames decode to a value or a reason without throwing', () => {
    const rand = prng(7);
    for (let i = 0; i < 20_000; i++) {
      const f = generateFrame(rand, { username: 'fuzz', userId: 'id-fuzz', otherUserId: 'id-other' });
      const text = Buffer.isBuffer(f.payload) ? f.payload.toString('utf8') : f.payload;
      const r = decodeFrame(text);
      expect(typeof r.ok, f.mutation).to.equal('boolean');
      if (f.expected === 3100) expect(r.ok, `${f.action} ${f.mutation} decoded`).to.equal(false);
      if (f.expected === 'error') expect(r.ok, `${f.action} ${f.mutation} refused`).to.equal(true);
    }
  });
});
