import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { DEMO_BUNDLE_DIR, DEMO_PUBLIC_DIR } from '../../src/interfaces/demo/demo-router.js';
import { startTestService } from '../support/test-service.js';
import { execForm, parseDockerfile, type Stage } from './dockerfile-parse.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

const all = (stage: Stage, keyword: string): string[] => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('Dockerfile (parsed: docker cannot run here)', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const build = stages[0];
  const runtime = stages[stages.length - 1];

  it('has a build stage and a separate runtime stage on the same Node 20 base', () => {
    expect(stages.length).to.be.at.least(2);
    expect(build?.name).to.equal('build');
    expect(runtime?.name).to.equal('runtime');
    expect(build?.from).to.match(/^node:20/);
    expect(runtime?.from).to.equal(build?.from);
  });

  it('build stage: installs every dependency (dev ones too), compiles better-sqlite3 and the TypeScript, then prunes to production', () => {
    const runs = all(build as Stage, 'RUN').join('\n');
    expect(runs).to.match(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(runs).to.match(/npm ci\b/);
    expect(runs).not.to.match(/npm ci[^\n&]*--omit=dev/);
    expect(runs).to.match(/npm rebuild better-sqlite3 --build-from-source/);
    expect(runs).to.match(/tsc -p tsconfig\.json/);
    expect(runs).to.match(/npm prune --omit=dev/);
    // the prune comes after the compile, which needs the dev dependencies
    expect(runs.indexOf('npm prune')).to.be.greaterThan(runs.indexOf('tsc -p'));
    // the demo is bundled (esbuild, a dev dependency) from its sources and the SDK's, copied before
    expect(runs).to.match(/npm run --silent build:demo/);
    expect(runs.indexOf('npm prune')).to.be.greaterThan(runs.indexOf('build:demo'));
    const sources = all(build as Stage, 'COPY').map((c) => c.split(/\s+/)[0]);
    expect(sources).to.include.members(['src', 'sdk', 'demo']);
  });

  it('runtime stage: only package.json, the pruned node_modules, dist/src and the demo from the build stage; no compiler, no npm install', () => {
    const copies = all(runtime as Stage, 'COPY');
    expect(copies.every((c) => c.startsWith('--from=build '))).to.equal(true);
    // Where the demo router serves the page and the bundle from, relative to the app's root.
    const demo = [DEMO_PUBLIC_DIR, DEMO_BUNDLE_DIR].map((dir) => `/app/${relative(ROOT, dir)}`);
    expect(copies.map((c) => c.split(/\s+/)[1])).to.have.members(['/app/package.json', '/app/node_modules', '/app/dist/src', ...demo]);
    for (const c of copies) expect(c.split(/\s+/)[2], c).to.equal(`./${(c.split(/\s+/)[1] ?? '').replace(/^\/app\//, '')}`);
    const runs = all(runtime as Stage, 'RUN').join('\n');
    expect(runs).not.to.match(/npm (ci|install)|apt-get|g\+\+/);
  });

  it('runs as a non-root user with DATA_DIR=/data as a volume it can write', () => {
    const users = all(runtime as Stage, 'USER');
    expect(users).to.have.length(1);
    expect(users[0]).to.not.match(/^(root|0)(:|$)/);
    const env = all(runtime as Stage, 'ENV').join(' ');
    expect(env).to.match(/(^|\s)DATA_DIR=\/data(\s|$)/);
    const volumes = all(runtime as Stage, 'VOLUME').flatMap((v) => execForm(v) ?? v.split(/\s+/));
    expect(volumes).to.include('/data');
    expect(all(runtime as Stage, 'RUN').join('\n')).to.match(/chown (node|\d+)(:\S+)? \/data/);
    // USER comes after the RUN that prepared /data (a RUN after USER would run unprivileged)
    const keywords = (runtime as Stage).instructions.map((i) => i.keyword);
    expect(keywords.lastIndexOf('RUN')).to.be.lessThan(keywords.indexOf('USER'));
  });

  it('node is PID 1: CMD is the exec form of node serve.js, no npm, no shell, no ENTRYPOINT', () => {
    const cmds = all(runtime as Stage, 'CMD');
    expect(cmds).to.have.length(1);
    expect(execForm(cmds[0] ?? '')).to.deep.equal(['node', 'dist/src/interfaces/cli/serve.js']);
    expect(all(runtime as Stage, 'ENTRYPOINT')).to.deep.equal([]);
  });

  it("serves on 8080 and checks its health on /healthz with node's fetch (no curl in the image)", () => {
    expect(all(runtime as Stage, 'EXPOSE')).to.deep.equal(['8080']);
    const checks = all(runtime as Stage, 'HEALTHCHECK');
    expect(checks).to.have.length(1);
    const cmd = /\bCMD\s+(\[.*\])\s*$/.exec(checks[0] ?? '')?.[1];
    const argv = execForm(cmd ?? '');
    expect(argv?.[0]).to.equal('node');
    expect(argv?.join(' ')).to.match(/fetch\(.*\/healthz/);
    expect(checks[0]).not.to.match(/curl|wget/);
  });

  it('the health-check command itself works: exit 0 against a running service, 1 when nothing answers', async () => {
    const checks = all(runtime as Stage, 'HEALTHCHECK');
    const argv = execForm(/\bCMD\s+(\[.*\])\s*$/.exec(checks[0] ?? '')?.[1] ?? '') ?? [];
    const check = (port: number) =>
      new Promise<number | null>((resolve) => {
        const p = execFile(process.execPath, argv.slice(1), { env: { ...process.env, PORT: String(port) }, timeout: 10_000 }, () => resolve(p.exitCode));
      });
    const svc = await startTestService();
    try {
      expect(await check(svc.service.port)).to.equal(0);
    } finally {
      await svc.stop();
    }
    // Port 1 on loopback: refused at once.
    expect(await check(1)).to.equal(1);
  });

  it("the demo builds from the build stage's sources alone (the context .dockerignore leaves), to the path the runtime copies", async function () {
    this.timeout(60_000);
    const ignored = new Set(
      read('.dockerignore')
        .split('\n')
        .map((l) => l.trim()),
    );
    const context = mkdtempSync(join(tmpdir(), 'docker-context-'));
    try {
      // What the build stage copies before `build:demo`, less what .dockerignore keeps out of the context.
      for (const c of all(build as Stage, 'COPY')) {
        const parts = c.split(/\s+/);
        for (const source of parts.slice(0, -1))
          cpSync(join(ROOT, source), join(context, source), { recursive: true, filter: (from) => !ignored.has(relative(ROOT, from)) });
      }
      symlinkSync(join(ROOT, 'node_modules'), join(context, 'node_modules'));
      await new Promise<void>((resolve, reject) =>
        execFile('npm', ['run', '--silent', 'build:demo'], { cwd: context, timeout: 55_000 }, (err, _out, stderr) =>
          err ? reject(new Error(stderr)) : resolve(),
        ),
      );
      expect(statSync(join(context, relative(ROOT, DEMO_BUNDLE_DIR), 'app.js')).size).to.be.greaterThan(1000);
      expect(existsSync(join(context, relative(ROOT, DEMO_PUBLIC_DIR), 'index.html'))).to.equal(true);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  });

  it('.dockerignore keeps node_modules, dist, data and .git out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).to.include.members(['node_modules', 'dist', 'data', '.git']);
    expect(ignored).not.to.include.members(['src', 'sdk', 'demo', 'sdk/src', 'demo/src', 'demo/public']);
  });
});

describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  /** The lines of a top-level service's block (indented under it). */
  const service = (name: string): string => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l === `  ${name}:`);
    if (start < 0) return '';
    const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l));
    return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
  };

  it('runs the service itself (app), built from the Dockerfile, against the compose EventStoreDB and MongoDB', () => {
    const app = service('app');
    expect(app).to.match(/^ {4}build: \.$/m);
    expect(app).to.match(/EVENTSTORE_URL: "esdb:\/\/eventstore:2113\?tls=false"/);
    expect(app).to.match(/MONGODB_URL: "mongodb:\/\/mongodb:27017\/\w+"/);
    expect(app).to.match(/depends_on:\n\s+eventstore:\n\s+condition: service_healthy\n\s+mongodb:\n\s+condition: service_healthy/);
    expect(app).to.match(/- "8080:8080"/);
    expect(app).to.match(/- app-data:\/data/);
    expect(service('eventstore')).not.to.equal('');
    expect(service('mongodb')).not.to.equal('');
  });
});
