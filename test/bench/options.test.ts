import { expect } from 'chai';
import { parseOptions, spec, type Options } from '../../bench/options.js';
import { parseCli, UsageError } from '../../src/interfaces/cli/cli-args.js';

const optionsOf = (argv: readonly string[]): Options => {
  const parsed = parseCli(spec, argv);
  if (parsed === 'help') throw new Error('unexpected help');
  return parseOptions(parsed);
};

describe('bench options', () => {
  it('a full run keeps the full sizes: 10 M-event (f3) log, 1 M-event (d) log, three storm sizes, a profile', () => {
    const o = optionsOf([]);
    expect(o.quick).to.equal(false);
    expect(o.profile).to.equal(true);
    expect([...o.only]).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect([o.users, o.durationMs, o.replayEvents, o.longLogEvents, o.longLogRounds, o.longLogDurationMs]).to.deep.equal([
      1000, 30_000, 1_000_000, 10_000_000, 12, 120_000,
    ]);
    expect(o.stormUsers).to.deep.equal([1000, 5000, 10_000]);
  });

  it('a quick run is no larger than a full one anywhere, and its (f3) long log is the (d) log', () => {
    const full = optionsOf([]);
    const quick = optionsOf(['--quick']);
    expect(quick.profile).to.equal(false);
    const fullValues = new Map<string, unknown>(Object.entries(full));
    for (const [key, value] of Object.entries(quick)) {
      const fullValue = fullValues.get(key);
      if (typeof value === 'number' && typeof fullValue === 'number' && key !== 'rampFactor') expect(value, key).to.be.at.most(fullValue);
    }
    expect(quick.longLogEvents).to.equal(quick.replayEvents);
    expect(quick.longLogEvents).to.be.below(full.longLogEvents / 10);
    expect(Math.max(...quick.stormUsers)).to.be.below(Math.min(...full.stormUsers));
  });

  it('an option given wins over the quick default', () => {
    const o = optionsOf(['--quick', '--long-log-events', '500000', '--storm-users', '300,600', '--only', 'f']);
    expect(o.longLogEvents).to.equal(500_000);
    expect(o.stormUsers).to.deep.equal([300, 600]);
    expect([...o.only]).to.deep.equal(['f']);
  });

  it('the help states both defaults where they differ, one where they do not', () => {
    expect(spec.options['long-log-events'].help).to.match(/\(10000000; quick 50000\)$/);
    expect(spec.options.rate.help).to.match(/\(1000\)$/);
    expect(spec.options['storm-users'].help).to.match(/\(1000,5000,10000; quick 100\)$/);
  });

  it('refuses a number that is not one, and an unknown scenario', () => {
    expect(() => optionsOf(['--users', 'lots'])).to.throw(UsageError, /--users expects a non-negative number/);
    expect(() => optionsOf(['--only', 'a,z'])).to.throw(UsageError, /got z/);
  });
});
