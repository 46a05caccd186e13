import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CLI_NAMES, runCliProcess, tempDir, type CliName } from './cli-process.js';

const ALL: readonly CliName[] = [...CLI_NAMES, 'bench'];

describe('CLIs: --help and wrong usage (real processes)', function () {
  this.timeout(30_000);
  let dataDir: string;
  before(() => {
    dataDir = tempDir();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  for (const name of ALL) {
    it(`${name} --help and -h print the usage on stdout and exit 0, touching nothing`, async () => {
      const [long, short] = await Promise.all([runCliProcess(name, ['--help'], { dataDir }), runCliProcess(name, ['-h'], { dataDir })]);
      for (const r of [long, short]) {
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.equal('');
        expect(r.stdout).to.match(/^usage: /);
        expect(r.stdout).to.match(/--help/);
        expect(r.stdout).to.match(/exit codes: 0 done, 1 failed .*, 2 wrong usage/);
      }
      expect(short.stdout).to.equal(long.stdout);
      // --help is never taken for a file (import), a run (bench) or a store to open
      expect(readdirSync(dataDir)).to.deep.equal([]);
      expect(existsSync(join(dataDir, '--help'))).to.equal(false);
    });

    it(`${name} --bogus names the option, prints the synopsis on stderr and exits 2`, async () => {
      const r = await runCliProcess(name, ['--bogus'], { dataDir });
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).to.equal(`${name}: unknown option --bogus`);
      expect(lines[1]).to.match(/^usage: /);
      expect(r.stderr).not.to.match(/\n\s+at /);
    });
  }

  it('a missing or extra argument is wrong usage too (exit 2)', async () => {
    const cases: [CliName, string[], RegExp][] = [
      ['import', [], /^import: missing FILE$/],
      ['import', ['a', 'b'], /^import: unexpected argument b$/],
      ['audit', ['chat'], /^audit: missing /],
      ['audit', ['room', 'x'], /^audit: expected chat or user, got room$/],
      ['export', [], /^export: --out FILE is required$/],
      ['export', ['--out'], /^export: option --out needs a value$/],
      ['token', [], /^token: missing USERNAME$/],
      ['token', ['bob', '--ttl', 'soon'], /^token: --ttl must be an integer ≥ 1, got soon$/],
      ['replay', ['--projection', 'everything'], /^replay: unknown projection everything: one of /],
      ['verify', ['extra'], /^verify: unexpected argument extra$/],
      ['ledger', [], /^ledger: missing verify, prove EVENT-ID or key$/],
      ['ledger', ['sign'], /^ledger: expected verify, prove or key, got sign$/],
      ['ledger', ['prove'], /^ledger: missing EVENT-ID$/],
      ['ledger', ['key', 'x'], /^ledger: unexpected argument x$/],
      ['ledger', ['verify', 'x'], /^ledger: unexpected argument x$/],
      ['ledger', ['key', '--checkpoint', 'f'], /^ledger: --checkpoint, --threads and --slice-size go with verify$/],
      ['ledger', ['verify', '--threads', 'two'], /^ledger: --threads must be an integer ≥ 0, got two$/],
      ['erase', [], /^erase: missing USER-ID$/],
      ['erase', ['a', 'b'], /^erase: unexpected argument b$/],
      ['migrate', ['extra'], /^migrate: unexpected argument extra$/],
      ['bench', ['--users', 'many'], /^bench: --users expects a non-negative number, got many$/],
    ];
    const results = await Promise.all(cases.map(([name, args]) => runCliProcess(name, args, { dataDir })));
    results.forEach((r, i) => {
      const [name, args, first] = cases[i] ?? ['', [], /$^/];
      expect(r.code, `${name} ${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr.split('\n')[0], `${name} ${args.join(' ')}`).to.match(first);
    });
    expect(readdirSync(dataDir)).to.deep.equal([]);
  });
});
