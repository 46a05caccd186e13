import type { JsonSchema, JsonValue } from '../../application/wire/json-schema.js';
import { anchorOf, escapeHtml, prose, schemaHtml } from './schema-html.js';

type Obj = JsonSchema;
const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const entries = (v: JsonValue | undefined): Array<[string, Obj]> => (isObj(v) ? Object.entries(v).filter((e): e is [string, Obj] => isObj(e[1])) : []);
const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
const METHODS = ['get', 'put', 'post', 'delete'];

const operationHtml = (path: string, method: string, op: Obj, openapi: Obj): string => {
  const params = Array.isArray(op['parameters']) ? op['parameters'].filter(isObj) : [];
  const paramRows = params
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(text(p['name']))}</code> <span class="opt">${escapeHtml(text(p['in']))}</span></td><td>${isObj(p['schema']) ? schemaHtml({ ...p['schema'], ...(p['description'] === undefined ? {} : { description: p['description'] }) }) : ''}</td></tr>`,
    )
    .join('');
  const responses = entries(op['responses'])
    .map(([status, r]) => {
      const resolved =
        typeof r['$ref'] === 'string'
          ? (entries((openapi['components'] as Obj)['responses']).find(([k]) => r['$ref'] === `#/components/responses/${k}`)?.[1] ?? r)
          : r;
      const schema = isObj(resolved['content']) ? entries(resolved['content'])[0]?.[1]['schema'] : undefined;
      return `<tr><td class="status s${status[0] ?? ''}">${escapeHtml(status)}</td><td>${prose(text(resolved['description']))}${isObj(schema) ? schemaHtml(schema) : ''}</td></tr>`;
    })
    .join('');
  const open = Array.isArray(op['security']) && op['security'].length === 0 ? ' <span class="opt">no token</span>' : '';
  return `<section class="op" id="${anchorOf(`op-${method}-${path}`)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code>${open}</h3>
<p>${prose(text(op['summary']))}${op['description'] === undefined ? '' : ` ${prose(text(op['description']))}`}</p>
${paramRows === '' ? '' : `<h4>Parameters</h4><table class="props"><tbody>${paramRows}</tbody></table>`}
<h4>Answers</h4><table class="answers"><tbody>${responses}</tbody></table>
</section>`;
};

const restHtml = (openapi: Obj): string => {
  const ops = entries(openapi['paths']).flatMap(([path, item]) =>
    METHODS.filter((m) => isObj(item[m])).map((m) => operationHtml(path, m, item[m] as Obj, openapi)),
  );
  const components = openapi['components'] as Obj;
  const schemas = entries(components['schemas'])
    .map(([name, s]) => `<section class="component" id="${anchorOf(`#/components/schemas/${name}`)}"><h3>${escapeHtml(name)}</h3>${schemaHtml(s)}</section>`)
    .join('');
  const security = entries(components['securitySchemes'])
    .map(([name, s]) => `<li><strong>${escapeHtml(name)}</strong>: ${prose(text(s['description']))}</li>`)
    .join('');
  const info = openapi['info'] as Obj;
  return `<h2 id="rest">REST API <span class="opt">OpenAPI ${escapeHtml(text(openapi['openapi']))} · <a href="/api/openapi.json">openapi.json</a></span></h2>
<p>${prose(text(info['description']))}</p><h3>Authentication</h3><ul>${security}</ul>${ops.join('\n')}<h2 id="schemas">Schemas</h2>${schemas}`;
};

const messageRows = (messages: Array<[string, Obj]>, prefix: string): string =>
  messages
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, m]) => {
      const payload = m['payload'] as Obj;
      const data = isObj(payload['properties']) ? (payload['properties'] as Obj)['data'] : undefined;
      return `<section class="msg" id="${anchorOf(key)}"><h3><code>${escapeHtml(text(m['name']))}</code></h3><p>${prose(text(m['summary']))}</p>${isObj(data) ? schemaHtml(data) : ''}</section>`;
    })
    .join('\n');

const wsHtml = (asyncapi: Obj): string => {
  const info = asyncapi['info'] as Obj;
  const channel = entries(asyncapi['channels'])[0]?.[1] ?? {};
  const messages = entries((asyncapi['components'] as Obj)['messages']);
  const query = isObj(channel['bindings']) && isObj(channel['bindings']['ws']) ? channel['bindings']['ws']['query'] : undefined;
  const closeCodes = Array.isArray(asyncapi['x-close-codes']) ? asyncapi['x-close-codes'].filter(isObj) : [];
  const closeRows = closeCodes
    .map(
      (c) =>
        `<tr><td class="status">${escapeHtml(String(c['code']))}</td><td><code>${escapeHtml(text(c['name']))}</code></td><td>${prose(text(c['meaning']))}</td></tr>`,
    )
    .join('');
  const errorRows = Object.entries(isObj(asyncapi['x-error-codes']) ? asyncapi['x-error-codes'] : {})
    .map(([code, meaning]) => `<tr><td><code>${escapeHtml(code)}</code></td><td>${prose(text(meaning))}</td></tr>`)
    .join('');
  const limitRows = Object.entries(isObj(asyncapi['x-limits']) ? asyncapi['x-limits'] : {})
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${prose(String(v))}</td></tr>`)
    .join('');
  return `<h2 id="ws">WebSocket <code>${escapeHtml(text(channel['address']))}</code> <span class="opt">AsyncAPI ${escapeHtml(text(asyncapi['asyncapi']))} · <a href="/api/asyncapi.json">asyncapi.json</a></span></h2>
<p>${prose(text(info['description']))}</p><p>${prose(text(channel['description']))}</p>
${isObj(query) ? `<h3>Query parameters</h3>${schemaHtml(query)}` : ''}
<h3 id="close-codes">Close codes</h3><table class="answers"><tbody>${closeRows}</tbody></table>
<h3 id="error-codes"><code>error</code> codes</h3><table class="answers"><tbody>${errorRows}</tbody></table>
<h3>Limits</h3><table class="answers"><tbody>${limitRows}</tbody></table>
<h2 id="client-actions">Client → server actions</h2><p>Each frame is <code>{ "action": name, "data": { … } }</code>.</p>${messageRows(messages, 'client.')}
<h2 id="server-frames">Server → client frames</h2><p>Each frame is <code>{ "action": name, "data": { … }, "position"? }</code>.</p>${messageRows(messages, 'server.')}`;
};

/** The /docs page: both documents rendered server-side into one page; its only asset is /docs/docs.css. */
export const renderDocsPage = (openapi: Obj, asyncapi: Obj): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>chat-events API</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/docs/docs.css"></head>
<body><header><h1>chat-events API</h1>
<nav><a href="#rest">REST</a> · <a href="#schemas">Schemas</a> · <a href="#ws">WebSocket</a> · <a href="#client-actions">Client actions</a> · <a href="#server-frames">Server frames</a> · <a href="#close-codes">Close codes</a> · <a href="/demo/">Demo app</a></nav></header>
<main>${restHtml(openapi)}${wsHtml(asyncapi)}</main></body></html>
`;
