import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { asyncApiDocument } from '../../src/interfaces/docs/asyncapi.js';
import type { JsonSchema } from '../../src/application/wire/json-schema.js';
import { openApiDocument } from '../../src/interfaces/docs/openapi.js';

/**
 * Every REST answer and WebSocket frame the tests see is checked against the served
 * documents (test-service `http()`, test-client's frames), so code and contract cannot drift.
 */
const openapi = openApiDocument();
const asyncapi = asyncApiDocument();

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(openapi, 'openapi');
ajv.addSchema(asyncapi, 'asyncapi');

const pointer = (...parts: string[]): string => parts.map((p) => '/' + p.replace(/~/g, '~0').replace(/\//g, '~1')).join('');

const compiled = new Map<string, ValidateFunction>();
const validator = (ref: string): ValidateFunction => {
  let v = compiled.get(ref);
  if (v === undefined) {
    v = ajv.compile({ $ref: ref });
    compiled.set(ref, v);
  }
  return v;
};

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

const fail = (what: string, detail: unknown): never => {
  throw new ContractViolation(`${what}: ${JSON.stringify(detail).slice(0, 800)}`);
};

const check = (ref: string, value: unknown, what: string): void => {
  const v = validator(ref);
  if (!v(value)) fail(`${what} does not match ${ref}`, { errors: v.errors, value });
};

type Obj = Readonly<Record<string, unknown>>;
const isObj = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u);
const paths = openapi['paths'] as Readonly<Record<string, Obj>>;
const trimSlash = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
const templates = Object.keys(paths).map((template) => ({
  template,
  re: new RegExp(`^${trimSlash(template).replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** Resolves a local `$ref` of the OpenAPI document (responses are shared through components). */
const deref = (node: unknown): unknown => {
  if (!isObj(node) || typeof node['$ref'] !== 'string') return node;
  return node['$ref']
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((at, key) => (isObj(at) ? at[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), openapi);
};

/** Asserts that an answer is one the OpenAPI document describes: a known operation, a documented status, a matching body. */
export const checkHttpAnswer = (method: string, url: string, status: number, body: unknown): void => {
  const path = trimSlash(new URL(url, 'http://x').pathname);
  const found = templates.find((t) => t.re.test(path));
  const operation = found === undefined ? undefined : paths[found.template]?.[method.toLowerCase()];
  if (found === undefined || operation === undefined) {
    // Not an operation of the API: only the catch-all 404 { msg } may answer (or 401 under /api, authenticated first).
    if (status !== 404 && !(status === 401 && path.startsWith('/api/')))
      fail(`${method} ${path} answered ${status} but is no operation of the OpenAPI document`, body);
    return check(`openapi#${pointer('components', 'schemas', 'Msg')}`, body, `${method} ${path} → ${status}`);
  }
  const listed = isObj(operation) && isObj(operation['responses']) ? operation['responses'][String(status)] : undefined;
  const response = deref(listed);
  if (!isObj(response)) return fail(`${method} ${found.template} answered ${status}, a status the OpenAPI document does not list`, body);
  const content = response['content'];
  if (!isObj(content) || !('application/json' in content)) return;
  // The schema's pointer: through the shared response when the operation refers to one.
  const at =
    isObj(listed) && typeof listed['$ref'] === 'string'
      ? listed['$ref'].replace(/^#/, '')
      : pointer('paths', found.template, method.toLowerCase(), 'responses', String(status));
  check(`openapi#${at}${pointer('content', 'application/json', 'schema')}`, body, `${method} ${path} → ${status}`);
};

const serverMessages = (asyncapi['components'] as Obj)['messages'] as Obj;

/** Asserts that a frame received from the server is one the AsyncAPI document describes. */
export const checkServerFrame = (frame: unknown): void => {
  const action = isObj(frame) ? frame['action'] : undefined;
  const key = `server.${String(action)}`;
  if (typeof action !== 'string' || !(key in serverMessages)) return fail('a frame of no action the AsyncAPI document lists', frame);
  check(`asyncapi#${pointer('components', 'messages', key, 'payload')}`, frame, `frame ${action}`);
};

/** A schema of the documents by pointer, compiled (for the documents' own tests). */
export const documentValidator = (document: 'openapi' | 'asyncapi', ...parts: string[]): ValidateFunction => validator(`${document}#${pointer(...parts)}`);

export const documents = { openapi, asyncapi } as const satisfies Record<string, JsonSchema>;
