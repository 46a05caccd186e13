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

describe('architecture', () => {
  it('keeps src/domain pure: only domain modules and immutable data structures', () => {
    const offenders = sources(join(root, 'src', 'domain')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => !(spec.startsWith('.') || spec === 'immutable'))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    const escapes = sources(join(root, 'src', 'domain')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('../') && /(application|infrastructure|interfaces)\//.test(spec))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect([...offenders, ...escapes]).to.deep.equal([]);
  });

  it('keeps src/application free of infrastructure and interfaces', () => {
    const offenders = sources(join(root, 'src', 'application')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => /\/(infrastructure|interfaces)\//.test(spec))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders).to.deep.equal([]);
  });

  it('has no console.log and no `any` in src', () => {
    const offenders = sources(join(root, 'src')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const hits: string[] = [];
      if (/console\.log/.test(text)) hits.push(`${relative(root, file)}: console.log`);
      if (/(:\s*any\b|<any>|as any\b|any\[\])/.test(text)) hits.push(`${relative(root, file)}: any`);
      return hits;
    });
    expect(offenders).to.deep.equal([]);
  });
});
