import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WriterThread } from '../../src/infrastructure/shared/writer-thread.js';
import type { EchoRequest } from './fixtures/echo-thread.js';

const script = new URL('./fixtures/echo-thread.js', import.meta.url);
const rejection = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
};

describe('WriterThread (request/reply with a worker thread)', () => {
  it('answers requests in order, structured-clone values included', async () => {
    const thread = new WriterThread<EchoRequest, { value: bigint; closed: boolean }>(script, undefined, 'echo');
    const answers = await Promise.all([1n, 2n, 3n].map((value) => thread.request({ kind: 'echo', value })));
    expect(answers.map((a) => a.value)).to.deep.equal([1n, 2n, 3n]);
    await thread.close();
  });

  it("rejects one request with the thread's error (name and message) and goes on answering", async () => {
    const thread = new WriterThread<EchoRequest, { value: bigint; closed: boolean }>(script, undefined, 'echo');
    const error = await rejection(thread.request({ kind: 'throw' }));
    expect([error.name, error.message, error instanceof RangeError]).to.deep.equal(['RangeError', 'asked to throw', true]);
    expect((await thread.request({ kind: 'echo', value: 7n })).value).to.equal(7n);
    await thread.close();
  });

  it('once the thread died, every request in flight and after rejects with that fault', async () => {
    const thread = new WriterThread<EchoRequest, { value: bigint; closed: boolean }>(script, undefined, 'echo');
    const dying = thread.request({ kind: 'die' });
    expect((await rejection(dying)).message).to.equal('echo thread exited (code 3)');
    expect((await rejection(thread.request({ kind: 'echo', value: 1n }))).message).to.equal('echo thread exited (code 3)');
    await thread.close();
  });

  it("close runs the thread's own close after what was asked before, then ends it", async () => {
    const thread = new WriterThread<EchoRequest, { value: bigint; closed: boolean }>(script, undefined, 'echo');
    const before = thread.request({ kind: 'echo', value: 1n });
    await thread.close();
    expect((await before).closed).to.equal(false);
    expect((await rejection(thread.request({ kind: 'echo', value: 2n }))).message).to.match(/echo thread exited/);
  });

  it('starts the thread only with the first request: a never-used one closes at once (its script is not even loaded)', async () => {
    const missing = new URL('./fixtures/no-such-thread.js', import.meta.url);
    const unused = new WriterThread<EchoRequest, { value: bigint; closed: boolean }>(missing, undefined, 'unused');
    await unused.close();
    expect((await rejection(unused.request({ kind: 'echo', value: 1n }))).message).to.equal('unused thread exited (code 0)');
    const used = new WriterThread<EchoRequest, { value: bigint; closed: boolean }>(missing, undefined, 'used');
    expect((await rejection(used.request({ kind: 'echo', value: 1n }))).message).to.match(/Cannot find module|no-such-thread/);
    await used.close();
  });

  it('keeps the process alive until the thread has exited, so what follows close() always runs (20 processes)', async () => {
    const child = fileURLToPath(new URL('./fixtures/close-then-report.js', import.meta.url));
    const run = () =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const p = execFile(process.execPath, [child], (_err, stdout) => resolve({ code: p.exitCode, stdout }));
      });
    const results = await Promise.all(Array.from({ length: 20 }, run));
    expect(results.filter((r) => r.code !== 5 || r.stdout !== 'reported after close\n')).to.deep.equal([]);
  });
});
