import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

/** Exit code and output of a tool given `source` on stdin as if it were `file`. */
const check = async (tool: string, args: readonly string[], source: string): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    const child = execFile(bin(tool), [...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(source);
  });

describe('lint and format checks (run by .ci/run before the tests)', function () {
  this.timeout(60_000);

  it('.ci/run runs them under set -e, before npm test', () => {
    const script = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(script).to.match(/^set -euo pipefail$/m);
    const lint = script.indexOf('npm run -s lint');
    expect(lint, 'npm run -s lint in .ci/run').to.be.greaterThan(0);
    expect(lint).to.be.below(script.indexOf('npm test'));
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.lint).to.equal('eslint . && prettier --check .');
  });

  it('ESLint fails on an explicit any and an unused import in src', async () => {
    const bad = await check(
      'eslint',
      ['--stdin', '--stdin-filename', 'src/domain/bad.ts'],
      "import { x } from './x.js';\nexport const f = (a: any): number => a;\n",
    );
    expect(bad.code).to.equal(1);
    expect(bad.output).to.include('no-explicit-any').and.include('no-unused-vars');
    const good = await check('eslint', ['--stdin', '--stdin-filename', 'src/domain/good.ts'], 'export const f = (a: number): number => a;\n');
    expect(good.code, good.output).to.equal(0);
  });

  it('Prettier reformats code that breaks the house style (so --check fails on it) and keeps code that follows it', async () => {
    const bad = 'export const f = ( a:number ):number=>{return a}\n';
    const formatted = await check('prettier', ['--stdin-filepath', 'src/domain/bad.ts'], bad);
    expect(formatted.code).to.equal(0);
    expect(formatted.output).to.not.equal(bad);
    const kept = await check('prettier', ['--stdin-filepath', 'src/domain/good.ts'], formatted.output);
    expect(kept.output).to.equal(formatted.output);
  });
});
