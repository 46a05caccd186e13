import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';

const root = join(import.meta.dirname, '..', '..');

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');

const src = (...parts: string[]) => join(root, 'src', ...parts);
const rel = (file: string) => relative(root, file);
/** The src files whose text matches `pattern` (comments included: a name in a comment counts too). */
const filesMatching = (pattern: RegExp): string[] =>
  sources(src())
    .filter((f) => pattern.test(readFileSync(f, 'utf8')))
    .map(rel)
    .sort();

/** Features above the domain, each in its own folder; the rest of src/application is what they share. */
const FEATURES = ['users', 'chat', 'likes-and-reads', 'invitations', 'presence', 'notifications', 'blocks'];
const SHARED = ['aggregates', 'audit', 'broadcast', 'erasure', 'ledger', 'log', 'ports', 'reactors', 'read-models', 'scheduling', 'shared', 'transfer', 'wire'];

describe('architecture', () => {
  it('keeps src/domain pure: domain modules, immutable data structures and the codecs its events are declared with', () => {
    const allowed = new Set(['immutable', 'io-ts', 'io-ts/lib/PathReporter.js', 'fp-ts/lib/Either.js']);
    const offenders = sources(src('domain')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => !(spec.startsWith('.') || allowed.has(spec)))
        .map((spec) => `${rel(file)} imports ${spec}`),
    );
    const escapes = sources(src('domain')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('../') && /(application|infrastructure|interfaces)\//.test(spec))
        .map((spec) => `${rel(file)} imports ${spec}`),
    );
    expect([...offenders, ...escapes]).to.deep.equal([]);
  });

  it('keeps src/application free of infrastructure and interfaces', () => {
    const offenders = sources(src('application')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => /\/(infrastructure|interfaces)\//.test(spec))
        .map((spec) => `${rel(file)} imports ${spec}`),
    );
    expect(offenders).to.deep.equal([]);
  });

  it('organises src/application by feature: every folder is a feature or something the features share', () => {
    const folders = readdirSync(src('application')).filter((name) => statSync(src('application', name)).isDirectory());
    expect([...folders].sort()).to.deep.equal([...FEATURES, ...SHARED].sort());
    for (const feature of FEATURES) expect(readdirSync(src('application', feature)), feature).to.include('feature.ts');
  });

  it('has no console.log and no `any` in src', () => {
    const offenders = sources(src()).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const hits: string[] = [];
      if (/console\.log/.test(text)) hits.push(`${rel(file)}: console.log`);
      if (/(:\s*any\b|<any>|as any\b|any\[\])/.test(text)) hits.push(`${rel(file)}: any`);
      return hits;
    });
    expect(offenders).to.deep.equal([]);
  });

  it('follows the log one way: only the log reader pages through readAll (the stores implement it; metrics read one event)', () => {
    expect(filesMatching(/\.readAll\(/).filter((f) => !f.startsWith('src/infrastructure/eventstore/'))).to.deep.equal([
      'src/application/log/log-reader.ts',
      'src/interfaces/metrics/service-metrics.ts',
    ]);
    expect(readFileSync(src('interfaces', 'metrics', 'service-metrics.ts'), 'utf8')).to.match(/readAll\(\{.*maxCount: 1 \}\)/);
  });

  it('decodes stored events in one place: the log module, once on the live path', () => {
    expect(filesMatching(/\bdecodeStored\(/)).to.deep.equal([
      'src/application/log/live-feed.ts',
      'src/application/log/stored-pages.ts',
      'src/application/log/stream-reader.ts',
    ]);
    const live = readFileSync(src('application', 'log', 'live-feed.ts'), 'utf8');
    expect(live.match(/\bdecodeStored\(/g)).to.have.length(1);
  });

  it('holds shapes together by types, not casts: no `as S`, `as E` or `as AnyDomainEvent` in src', () => {
    expect(filesMatching(/\bas (S|E|AnyDomainEvent)\b/)).to.deep.equal([]);
  });

  it('keeps a feature in few files: a like is named by the domain, its feature folder and the wire codecs only', () => {
    expect(filesMatching(/MessageLiked|MessageUnliked|like_message|unlike_message|chat_like_update/)).to.deep.equal([
      'src/application/likes-and-reads/likes.ts',
      'src/application/wire/client-actions.ts',
      'src/application/wire/server-frames.ts',
      'src/domain/chat/decide.ts',
      'src/domain/chat/events.ts',
      'src/domain/chat/evolve.ts',
    ]);
  });
});
