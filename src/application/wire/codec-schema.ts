import * as t from 'io-ts';

const CodecType = t.Type;
import type { JsonSchema } from './json-schema.js';

/**
 * The JSON Schema of an io-ts codec. Codecs built from io-ts combinators (type, partial,
 * intersection, keyof, boolean, string) are translated; custom codecs (refined strings,
 * integer ranges, closed objects) carry the schema they were declared with. The AsyncAPI
 * document's client actions are generated from the codecs the gateway decodes with, so the
 * two cannot drift; tests check each declared schema against its codec on random samples.
 */
const declared = new WeakMap<t.Mixed, JsonSchema>();

/** io-ts's own codecs are shared by every use: a schema declared on one would be every use's. */
const SHARED_CODECS: ReadonlySet<t.Mixed> = new Set<t.Mixed>([t.string, t.number, t.boolean, t.null, t.unknown, t.UnknownRecord]);

export const withSchema = <C extends t.Mixed>(codec: C, schema: JsonSchema): C => {
  if (SHARED_CODECS.has(codec)) throw new Error(`withSchema: ${codec.name} is io-ts's shared codec; declare the schema on a codec of its own`);
  declared.set(codec, schema);
  return codec;
};

interface Tagged {
  readonly _tag?: string;
  readonly props?: t.Props;
  readonly types?: readonly t.Mixed[];
  readonly type?: t.Mixed;
  readonly keys?: Readonly<Record<string, unknown>>;
  readonly value?: string | number | boolean;
}

/** The same codec under a description of its own (a shared codec keeps its schema). */
export const described = <A, O>(codec: t.Type<A, O, unknown>, description: string): t.Type<A, O, unknown> =>
  withSchema(new CodecType(codec.name, codec.is, codec.validate, codec.encode), { ...schemaOf(codec), description });

const propsSchema = (props: t.Props, required: boolean): JsonSchema => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(props).map(([k, c]) => [k, schemaOf(c)])),
  required: required ? Object.keys(props) : [],
});

/** Merges the object schemas of an intersection into one (io-ts intersections here are all of objects). */
const mergeObjects = (parts: readonly JsonSchema[]): JsonSchema => {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of parts) {
    if (p['type'] !== 'object') throw new Error('only intersections of objects have a schema');
    Object.assign(properties, p['properties']);
    const r = p['required'];
    if (Array.isArray(r)) required.push(...r.filter((x): x is string => typeof x === 'string'));
  }
  return { type: 'object', properties, required };
};

export const schemaOf = (codec: t.Mixed): JsonSchema => {
  const known = declared.get(codec);
  if (known !== undefined) return known;
  const c = codec as Tagged;
  switch (c._tag) {
    case 'InterfaceType':
      return propsSchema(c.props ?? {}, true);
    case 'PartialType':
      return propsSchema(c.props ?? {}, false);
    case 'IntersectionType':
      return mergeObjects((c.types ?? []).map(schemaOf));
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'StringType':
      return { type: 'string' };
    case 'LiteralType':
      return { const: c.value ?? null };
    case 'NumberType':
      return { type: 'number' };
    case 'NullType':
      return { type: 'null' };
    case 'ReadonlyType':
      return c.type === undefined ? {} : schemaOf(c.type);
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: c.type === undefined ? {} : schemaOf(c.type) };
    case 'UnionType':
      return { oneOf: (c.types ?? []).map(schemaOf) };
    default:
      throw new Error(`no JSON Schema for codec ${codec.name}`);
  }
};
