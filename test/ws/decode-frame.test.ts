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

  it('carries a `ref` of 1–64 characters (code points) beside the action, and refuses any other `ref`', () => {
    const frame = (ref: unknown) => decodeFrame(JSON.stringify({ action: 'join_chat', ref, data: { chat_id: '0d5c3b8e-5d7e-4b8a-9d51-1c8a7e3f0a11' } }));
    for (const good of ['1', 'r'.repeat(64), '🏓'.repeat(64)]) expect(frame(good), good).to.deep.include({ ok: true, ref: good });
    const without = decodeFrame(JSON.stringify({ action: 'join_chat', data: { chat_id: '0d5c3b8e-5d7e-4b8a-9d51-1c8a7e3f0a11' } }));
    expect(without.ok && without.ref).to.equal(undefined);
    for (const bad of ['', 'r'.repeat(65), '🏓'.repeat(65), 42, null, false, {}, ['r']]) {
      const r = frame(bad);
      expect(r.ok, JSON.stringify(bad)).to.equal(false);
      if (!r.ok) expect(r.reason).to.include('ref');
    }
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
