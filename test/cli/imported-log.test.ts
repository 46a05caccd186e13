import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { startTestService } from '../support/test-service.js';
import { CHAT_ID, cliEnv, cliPath, FIXTURE, fixtureEvents, repeat, runCliProcess, tempDir, writeLongLog, type CliResult } from './cli-process.js';

const RUNS = 20;
const PARALLEL = 5;
const EXTRA_MESSAGES = 3000;

/** Every run failed the same way: exit 1, nothing on stdout, exactly `line` on stderr. */
const expectStableFailure = (results: readonly CliResult[], line: string): void => {
  expect(results).to.have.length(RUNS);
  const distinct = [...new Set(results.map((r) => JSON.stringify({ code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr })))];
  expect(distinct.map((d) => JSON.parse(d) as unknown)).to.deep.equal([{ code: 1, signal: null, stdout: '', stderr: `${line}\n` }]);
};

describe('CLIs on an imported log (real processes)', function () {
  this.timeout(60_000);
  let work: string;
  let dataDir: string;
  let longLog: string;
  let imported: CliResult;

  before(async () => {
    work = tempDir('cli-imported-');
    dataDir = join(work, 'data');
    longLog = writeLongLog(work, EXTRA_MESSAGES);
    imported = await runCliProcess('import', [longLog], { dataDir, timeoutMs: 30_000 });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  describe('import leaves a working service', () => {
    it('import reports the events and the read models it built, and exits 0', () => {
      expect(imported.code, imported.stderr).to.equal(0);
      const events = fixtureEvents() + EXTRA_MESSAGES;
      expect(imported.stderr).to.match(new RegExp(`^imported ${events} events from .*long-log\\.ndjson in [\\d.]+ s \\(\\d+ events/s\\)\\n`));
      expect(imported.stderr).to.match(new RegExp(`\\nbuilt the read models from ${events} events in [\\d.]+ s \\(\\d+ events/s\\)\\n$`));
      // not a terminal: no progress bar drawn
      expect(imported.stderr).not.to.include('\r').and.not.to.include('\u001b[');
      // the replaced (empty) generation was dropped: one read-model file is current
      expect(readdirSync(dataDir).filter((f) => /^readmodels.*\.db$/.test(f))).to.have.length(1);
    });

    it('verify answers at once: the read models match the log', async () => {
      const r = await runCliProcess('verify', [], { dataDir });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal(`read models match the log (${fixtureEvents() + EXTRA_MESSAGES} events, up to position ${fixtureEvents() + EXTRA_MESSAGES})\n`);
    });

    it('audit user and audit chat answer at once', async () => {
      const [user, chat] = await Promise.all([runCliProcess('audit', ['user', 'bob'], { dataDir }), runCliProcess('audit', ['chat', CHAT_ID], { dataDir })]);
      expect(user.code, user.stderr).to.equal(0);
      expect(user.stdout.split('\n')[0]).to.match(/UserRegistered\s+bob\s+bob became known \(nickname "Bob"\)$/);
      expect(chat.code, chat.stderr).to.equal(0);
      const lines = chat.stdout.trimEnd().split('\n');
      expect(lines).to.have.length(6 + EXTRA_MESSAGES);
      expect(lines[lines.length - 1]).to.match(new RegExp(`MessageSent\\s+bob\\s+bob wrote #${3 + EXTRA_MESSAGES} "message number ${3 + EXTRA_MESSAGES}"$`));
    });

    it('a service started on the imported DATA_DIR serves the imported chat over REST at once', async () => {
      const svc = await startTestService({}, { dataDir });
      try {
        const chats = await svc.http('GET', '/api/chats/', { username: 'ada' });
        expect(chats.status).to.equal(200);
        const listed = JSON.stringify(chats.body);
        expect(listed).to.include(CHAT_ID);
        expect(listed).to.include(`message number ${3 + EXTRA_MESSAGES}`);
      } finally {
        await svc.stop();
      }
    });
  });

  describe(`failures: one line on stderr, exit 1, the same in ${RUNS} runs`, () => {
    it('import into a non-empty store, which it leaves as it was', async () => {
      const before = await runCliProcess('verify', [], { dataDir });
      const results = await repeat(RUNS, PARALLEL, () => runCliProcess('import', [FIXTURE], { dataDir }));
      expectStableFailure(
        results,
        'import: the target store already holds events: import only into an empty store (a fresh DATA_DIR or EventStoreDB database)',
      );
      const after = await runCliProcess('verify', [], { dataDir });
      expect(after.stdout).to.match(/^read models match the log \(\d+ events/);
      expect(after.stdout).to.equal(before.stdout);
    });

    it('import of a file that is not NDJSON', async () => {
      const bad = join(work, 'bad.ndjson');
      writeFileSync(
        bad,
        `${'{"id": "x", "stream": "s", "revision": 0, "type": "T", "data": {}, "metadata": {"correlationId": "c", "timestamp": "t"}, "position": "1"}'}\n{not json\n`,
      );
      const results = await repeat(RUNS, PARALLEL, (i) => runCliProcess('import', [bad], { dataDir: join(work, `bad-${i}`) }));
      expectStableFailure(results, 'import: line 2: not JSON');
    });

    it('import of a missing file, before any store is created', async () => {
      const missing = join(work, 'missing.ndjson');
      const results = await repeat(RUNS, PARALLEL, (i) => runCliProcess('import', [missing], { dataDir: join(work, `missing-${i}`) }));
      expectStableFailure(results, `import: cannot open ${missing}: no such file or directory`);
      expect(existsSync(join(work, 'missing-0'))).to.equal(false);
    });

    it('export to an unwritable output', async () => {
      const out = join(work, 'no-such-dir', 'x.ndjson');
      const results = await repeat(RUNS, PARALLEL, () => runCliProcess('export', ['--out', out], { dataDir }));
      expectStableFailure(results, `export: cannot open ${out}: no such file or directory`);
    });

    it('audit of an unknown chat', async () => {
      const results = await repeat(RUNS, PARALLEL, () => runCliProcess('audit', ['chat', 'no-such-chat'], { dataDir }));
      expectStableFailure(results, 'audit: no chat no-such-chat in the log');
    });

    it('audit of an unknown user', async () => {
      const results = await repeat(RUNS, PARALLEL, () => runCliProcess('audit', ['user', 'nobody'], { dataDir }));
      expectStableFailure(results, 'audit: no user nobody');
    });
  });

  it('import of lines that are JSON but not exported events names the fields at fault', async () => {
    const bad = join(work, 'not-events.ndjson');
    writeFileSync(bad, '{"id": "x", "revision": "zero"}\n');
    const r = await runCliProcess('import', [bad], { dataDir: join(work, 'not-events') });
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([
      1,
      '',
      'import: line 1: not an exported event (stream missing, revision invalid, type missing, data missing, metadata missing, position missing)\n',
    ]);
  });

  describe('a closed pipe (| head -1)', () => {
    const throughHead = (args: string[]): Promise<{ status: string; stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        const script = `set -o pipefail; "${process.execPath}" "${cliPath('audit')}" ${args.join(' ')} | head -1`;
        const child = spawn('bash', ['-c', script], { env: cliEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ status: String(code), stdout, stderr }));
      });

    it('ends audit quietly: exit 0, no EPIPE, no stack, the first line delivered', async () => {
      // The chat's timeline is a few hundred KB: far more than a pipe holds, so writes hit the closed pipe.
      const results = await repeat(5, 5, () => throughHead(['chat', CHAT_ID]));
      for (const r of results) {
        expect(r.stderr).to.equal('');
        expect(r.status).to.equal('0');
        expect(r.stdout.split('\n')).to.have.length(2);
        expect(r.stdout).to.match(/UserRegistered|ChatCreated/);
      }
    });
  });
});
