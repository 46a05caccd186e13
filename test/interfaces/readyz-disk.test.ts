import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, writeSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { sleep } from '../support/wait.js';

/** A small tmpfs of our own, so that filling it touches nothing else (root only: skipped otherwise). */
const mountSmall = (dir: string, size: string): boolean => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Writes zeros until the file system refuses (ENOSPC). */
const fill = (path: string): void => {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
};

const readyz = async (base: string): Promise<{ status: number; body: { msg?: string; status?: string } }> => {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as { msg?: string; status?: string } };
};

/** Polls `/readyz` until it answers `status` (the write probe's answer is reused for a second). */
const readyzBecomes = async (base: string, status: number): Promise<{ status: number; body: { msg?: string; status?: string } }> => {
  const deadline = Date.now() + 5000;
  for (;;) {
    const answer = await readyz(base);
    if (answer.status === status || Date.now() > deadline) return answer;
    await sleep(200);
  }
};

describe('/readyz follows whether the store can write', function () {
  this.timeout(60_000);
  let mountPoint: string;
  let server: ServerProcess | undefined;

  before(function () {
    mountPoint = mkdtempSync(join(tmpdir(), 'readyz-disk-'));
    if (!mountSmall(mountPoint, '48m')) {
      rmdirSync(mountPoint);
      this.skip();
    }
  });
  after(async () => {
    if (server !== undefined) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    execFileSync('umount', [mountPoint]);
    rmdirSync(mountPoint);
  });

  it('503 while the disk is full, 200 again once there is room', async () => {
    server = await startServerProcess({ DATA_DIR: join(mountPoint, 'data') });
    expect((await readyzBecomes(server.base, 200)).status).to.equal(200);
    const filler = join(mountPoint, 'filler');
    fill(filler);
    const full = await readyzBecomes(server.base, 503);
    expect(full.status).to.equal(503);
    expect(full.body.msg).to.match(/^the event store cannot write: /);
    rmSync(filler);
    expect((await readyzBecomes(server.base, 200)).status).to.equal(200);
  });
});
