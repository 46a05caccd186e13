import type { JsonSchema, JsonValue } from '../../application/wire/json-schema.js';

/** HTML rendering of JSON Schemas for the /docs page: properties as tables, constraints in words. */
export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Escapes, then turns `code` spans into <code>. */
export const prose = (s: string): string => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const isSchema = (v: JsonValue | undefined): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);
const asSchemas = (v: JsonValue | undefined): JsonSchema[] => (Array.isArray(v) ? v.filter(isSchema) : []);

export const anchorOf = (ref: string): string => ref.replace(/^#\//, '').replace(/[^A-Za-z0-9_.-]+/g, '-');

const constraints = (s: JsonSchema): string[] => {
  const out: string[] = [];
  const pick = (k: string) => s[k];
  if (Array.isArray(pick('enum'))) out.push(`one of ${(pick('enum') as JsonValue[]).map((e) => `<code>${escapeHtml(String(e))}</code>`).join(', ')}`);
  if (pick('const') !== undefined) out.push(`<code>${escapeHtml(JSON.stringify(pick('const')))}</code>`);
  if (typeof pick('format') === 'string') out.push(escapeHtml(String(pick('format'))));
  if (typeof pick('minimum') === 'number' || typeof pick('maximum') === 'number') out.push(`${pick('minimum') ?? '…'}–${pick('maximum') ?? '…'}`);
  if (typeof pick('minLength') === 'number' || typeof pick('maxLength') === 'number') out.push(`length ${pick('minLength') ?? 0}–${pick('maxLength') ?? '…'}`);
  if (typeof pick('pattern') === 'string') out.push(`pattern <code>${escapeHtml(String(pick('pattern')))}</code>`);
  if (pick('default') !== undefined) out.push(`default <code>${escapeHtml(JSON.stringify(pick('default')))}</code>`);
  if (typeof pick('maxItems') === 'number') out.push(`at most ${String(pick('maxItems'))} items`);
  if (pick('additionalProperties') === false) out.push('no other keys');
  return out;
};

const typeName = (s: JsonSchema): string => {
  if (typeof s['$ref'] === 'string') {
    const ref = s['$ref'];
    return `<a href="#${anchorOf(ref)}">${escapeHtml(ref.split('/').pop() ?? ref)}</a>`;
  }
  const t = s['type'];
  if (Array.isArray(t)) return t.map(String).join(' | ');
  if (typeof t === 'string') return t === 'array' && isSchema(s['items']) ? `array of ${typeName(s['items'])}` : t;
  if (s['const'] !== undefined) return 'constant';
  if (s['oneOf'] !== undefined) return 'one of';
  return 'any';
};

/** A schema as HTML: a line of type and constraints, and a table of its properties (nested). */
export const schemaHtml = (s: JsonSchema): string => {
  const notes = [typeName(s), ...constraints(s)].join(' · ');
  const description = typeof s['description'] === 'string' ? ` — ${prose(s['description'])}` : '';
  const alternatives = asSchemas(s['oneOf']);
  const items = isSchema(s['items']) && typeof s['items']['$ref'] !== 'string' && s['items']['type'] === 'object' ? schemaHtml(s['items']) : '';
  const body = alternatives.length > 0 ? `<ol class="alts">${alternatives.map((a) => `<li>${schemaHtml(a)}</li>`).join('')}</ol>` : items || propertiesHtml(s);
  return `<div class="schema"><span class="type">${notes}</span>${description}${body}</div>`;
};

const propertiesHtml = (s: JsonSchema): string => {
  const props = s['properties'];
  if (!isSchema(props)) return '';
  const required = new Set(Array.isArray(s['required']) ? s['required'].map(String) : []);
  const rows = Object.entries(props)
    .filter((e): e is [string, JsonSchema] => isSchema(e[1]))
    .map(
      ([name, p]) =>
        `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? '' : ' <span class="opt">optional</span>'}</td><td>${schemaHtml(p)}</td></tr>`,
    )
    .join('');
  return `<table class="props"><tbody>${rows}</tbody></table>`;
};
