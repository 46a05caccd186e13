import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { ENV_VARIABLES } from '../../src/infrastructure/config/config.js';
import { demoRouter } from '../../src/interfaces/demo/demo-router.js';
import { metricsRouter } from '../../src/interfaces/metrics/metrics-router.js';
import type { ServiceMetrics } from '../../src/interfaces/metrics/service-metrics.js';
import type { Router } from 'express';
import { asyncApiDocument } from '../../src/interfaces/docs/asyncapi.js';
import { openApiDocument } from '../../src/interfaces/docs/openapi.js';
import { REFUSALS as ERROR_CODES } from '../../src/domain/shared/decision.js';
import { CLOSE_CODES } from '../../src/interfaces/docs/wire-codes.js';
import { historyRouter } from '../../src/interfaces/http/history-router.js';
import { ledgerProofRouter, ledgerPublicRouter } from '../../src/interfaces/http/ledger-router.js';
import type { LedgerView } from '../../src/application/ledger/ledger-view.js';
import { restRouter } from '../../src/interfaces/http/rest-router.js';
import type { ReadModelQueries, ReadModelStore } from '../../src/application/ports/read-model.js';
import type { CommandDeps } from '../../src/application/shared/deps.js';
import type { EventStore } from '../../src/application/ports/event-store.js';
import type { ProfileDirectory } from '../../src/application/users/profile-directory.js';
import { actionDataCodecs } from '../../src/application/wire/client-actions.js';
import { CloseCode } from '../../src/interfaces/ws/close-codes.js';
import { checkHttpAnswer, checkServerFrame, ContractViolation } from '../support/contract.js';
import { startTestService, type TestService } from '../support/test-service.js';
import type { PersonalData } from '../../src/application/erasure/personal-data.js';

const root = join(import.meta.dirname, '..', '..', '..');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });

type Obj = Record<string, unknown>;
const openapi = openApiDocument() as Obj;
const asyncapi = asyncApiDocument() as Obj;
const documentedOperations = (): string[] =>
  Object.entries(openapi['paths'] as Record<string, Obj>).flatMap(([path, item]) =>
    Object.keys(item).map((m) => `${m.toUpperCase()} ${path.replace(/\/$/, '')}`),
  );

/** `METHOD /path` of every route an express router declares (express 5 keeps them on `stack`). */
const routesOf = (router: Router, prefix: string): string[] =>
  (router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>).flatMap((layer) =>
    layer.route === undefined ? [] : Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${prefix}${layer.route?.path.replace(/:(\w+)/g, '{$1}')}`),
  );

describe('the contract documents', () => {
  it('the OpenAPI document is valid OpenAPI 3.1 (the validator refuses a broken one)', async () => {
    const validator = new Validator();
    expect(await validator.validate(openApiDocument())).to.deep.equal({ valid: true });
    expect((await new Validator().validate({ ...openApiDocument(), paths: { '/x': { get: { responses: { 200: { content: 3 } } } } } })).valid).to.equal(false);
  });

  it('the AsyncAPI document is valid AsyncAPI 3.0 (against the official JSON Schema; a broken one is refused)', () => {
    const schema = JSON.parse(readFileSync(join(root, 'node_modules', '@asyncapi', 'specs', 'schemas', '3.0.0-without-$id.json'), 'utf8')) as Obj;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(asyncApiDocument()), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
    expect(validate({ ...asyncApiDocument(), operations: { x: { action: 'publish' } } })).to.equal(false);
  });

  it('documents every REST route the routers declare, and no route they do not', () => {
    const none = undefined as unknown;
    const declared = [
      ...routesOf(restRouter({ deps: {} as CommandDeps, fresh: async () => none as ReadModelQueries }), '/api'),
      ...routesOf(
        historyRouter({
          store: none as EventStore,
          personal: none as PersonalData,
          profiles: none as ProfileDirectory,
          fresh: async () => none as ReadModelQueries,
          scratch: () => none as ReadModelStore,
        }),
        '/api',
      ),
      ...routesOf(ledgerPublicRouter(none as LedgerView), ''),
      ...routesOf(ledgerProofRouter(none as LedgerView), '/api'),
      'GET /healthz',
      'GET /readyz',
      'GET /api/openapi.json',
      'GET /api/asyncapi.json',
      'GET /docs',
      ...routesOf(demoRouter({ devSecret: undefined }), ''),
      ...routesOf(metricsRouter({} as ServiceMetrics, undefined), ''),
    ];
    expect([...documentedOperations()].sort()).to.deep.equal([...new Set(declared)].sort());
  });

  it('documents every client action the gateway decodes, and every refusal code the code can send', () => {
    const messages = Object.keys((asyncapi['components'] as Obj)['messages'] as Obj);
    expect(
      messages
        .filter((m) => m.startsWith('client.'))
        .map((m) => m.slice(7))
        .sort(),
    ).to.deep.equal(Object.keys(actionDataCodecs).sort());
    const codes = new Set<string>();
    for (const file of sources(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/refuse\('([a-z_]+)'/g)) codes.add(m[1] ?? '');
      for (const m of text.matchAll(/action: 'error', data: \{[^}]*code: '([a-z_]+)'/g)) codes.add(m[1] ?? '');
      for (const m of text.matchAll(/_tag: 'Refusal', code: '([a-z_]+)'/g)) codes.add(m[1] ?? '');
      for (const m of text.matchAll(/errorReply\([^,]+, '([a-z_]+)'/g)) codes.add(m[1] ?? '');
    }
    expect(codes.size).to.be.greaterThan(15);
    expect([...codes].filter((c) => !(c in ERROR_CODES))).to.deep.equal([]);
  });

  it('documents every close code the gateway uses, and those of PROTOCOL.md', () => {
    const documented = CLOSE_CODES.map((c) => c.code);
    expect(Object.values(CloseCode).filter((c) => !documented.includes(c))).to.deep.equal([]);
    expect(documented).to.include.members([3100, 3001, 1007, 1009, 1008, 1013, 1011, 1001]);
  });

  describe('the validators the tests run on every answer and frame', () => {
    it('refuse a frame of an unknown action, a missing field, an extra field, a wrongly typed field', () => {
      const ok = {
        action: 'chat_like_update',
        data: { chat_id: '6f1c9c1e-8d51-4b6a-9a43-5a8f1e0c2b11', id: '6f1c9c1e-8d51-4b6a-9a43-5a8f1e0c2b12', is_liked: true },
        position: '12',
      };
      expect(() => checkServerFrame(ok)).not.to.throw();
      expect(() => checkServerFrame({ ...ok, action: 'chat_like_updated' })).to.throw(ContractViolation);
      expect(() => checkServerFrame({ ...ok, data: { ...ok.data, is_liked: undefined } })).to.throw(ContractViolation, /is_liked/);
      expect(() => checkServerFrame({ ...ok, data: { ...ok.data, extra: 1 } })).to.throw(ContractViolation);
      expect(() => checkServerFrame({ ...ok, data: { ...ok.data, is_liked: 'yes' } })).to.throw(ContractViolation);
      expect(() => checkServerFrame({ ...ok, position: 12 })).to.throw(ContractViolation);
      const limits = { rate_per_second: 20, burst: 40, max_frame_bytes: 65536 };
      expect(() => checkServerFrame({ action: 'ready', data: { position: '1', username: 'alice', limits } })).not.to.throw();
      expect(() => checkServerFrame({ action: 'ready', data: { position: '1', username: 'alice' } })).to.throw(ContractViolation, /limits/);
      expect(() => checkServerFrame({ action: 'ack', ref: '1', data: { for: 'join_chat' } })).not.to.throw();
      expect(() => checkServerFrame({ action: 'ack', data: { for: 'join_chat' } })).to.throw(ContractViolation, /ref/);
      expect(() => checkServerFrame({ action: 'ack', ref: '', data: { for: 'join_chat' } })).to.throw(ContractViolation);
      expect(() => checkServerFrame({ action: 'error', ref: 'x', data: { for: 'new_message', code: 'blocked', msg: 'x' } })).not.to.throw();
      expect(() => checkServerFrame({ action: 'error', data: { for: 'new_message', code: 'no_such_code', msg: 'x' } })).to.throw(ContractViolation);
    });

    it('refuse an undocumented status, a body of the wrong shape, an unknown path answering other than 404', () => {
      expect(() => checkHttpAnswer('GET', '/api/blocks/?limit=1', 200, { items: [], count: 0 })).not.to.throw();
      expect(() => checkHttpAnswer('GET', '/api/blocks', 200, { items: [{ username: 'a' }], count: 0 })).to.throw(ContractViolation);
      expect(() => checkHttpAnswer('GET', '/api/blocks', 418, { msg: 'teapot' })).to.throw(ContractViolation, /418/);
      expect(() => checkHttpAnswer('PUT', '/api/chats/bob', 404, { message: 'x' })).to.throw(ContractViolation);
      expect(() => checkHttpAnswer('PUT', '/api/chats/bob', 404, { msg: 'x' })).not.to.throw();
      expect(() => checkHttpAnswer('GET', '/nowhere', 200, {})).to.throw(ContractViolation);
      expect(() => checkHttpAnswer('GET', '/nowhere', 404, { msg: 'Not found' })).not.to.throw();
    });
  });

  describe('served', () => {
    let s: TestService;
    before(async () => {
      s = await startTestService();
    });
    after(async () => s.stop());

    it('GET /api/openapi.json and /api/asyncapi.json answer the documents without a token', async () => {
      const o = await s.http('GET', '/api/openapi.json');
      expect(o.status).to.equal(200);
      expect(o.body).to.deep.equal(openApiDocument());
      const a = await s.http('GET', '/api/asyncapi.json/');
      expect(a.status).to.equal(200);
      expect(a.body).to.deep.equal(asyncApiDocument());
    });

    it('GET /docs renders every operation, action, frame and close code, with only its own stylesheet', async () => {
      const res = await fetch(`${s.service.url}/docs`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      const html = await res.text();
      for (const op of documentedOperations()) expect(html).to.include(op.split(' ')[1] ?? '');
      for (const action of Object.keys(actionDataCodecs)) expect(html).to.include(`<code>${action}</code>`);
      for (const frame of ['ready', 'resync_required', 'game_found', 'error']) expect(html).to.include(`<code>${frame}</code>`);
      for (const { code } of CLOSE_CODES) expect(html).to.include(`>${code}<`);
      expect(html).not.to.match(/<script|https?:\/\/(?!localhost)|style=/);
      const css = await fetch(`${s.service.url}/docs/docs.css`);
      expect(css.status).to.equal(200);
      expect(css.headers.get('content-type')).to.match(/^text\/css/);
    });
  });
});

describe('the repository documents itself', () => {
  it('README and docs/ link only to files of the repository (nothing outside it)', () => {
    const files = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => join('docs', f))];
    const outside: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      if (/\.\.\/shared|\/work\/shared/.test(text)) outside.push(`${file} refers to ../shared`);
      for (const m of text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
        const target = m[1] ?? '';
        if (/^https?:/.test(target)) continue;
        try {
          statSync(join(root, file, '..', target));
        } catch {
          outside.push(`${file} links to missing ${target}`);
        }
      }
    }
    expect(outside).to.deep.equal([]);
  });

  it('the README’s configuration table names every environment variable the service reads', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
    const missing = ENV_VARIABLES.filter((name) => !rows.some((row) => row.split('|')[1]?.includes(`\`${name}\``)));
    expect(ENV_VARIABLES.length).to.be.greaterThan(30);
    expect(missing).to.deep.equal([]);
  });
});
