/** JSON values and JSON Schema (2020-12) objects, as plain data: the documents are built from these. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonSchema = { readonly [key: string]: JsonValue };

export const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });
export const bool = (description?: string): JsonSchema => ({ type: 'boolean', ...(description === undefined ? {} : { description }) });
export const int = (minimum: number, maximum?: number): JsonSchema => ({ type: 'integer', minimum, ...(maximum === undefined ? {} : { maximum }) });
export const ref = (name: string, base = '#/components/schemas/'): JsonSchema => ({ $ref: `${base}${name}` });

/** A closed object: every listed property, `optional` ones may be absent, nothing else. */
export const object = (properties: Readonly<Record<string, JsonSchema>>, optional: readonly string[] = [], description?: string): JsonSchema => ({
  type: 'object',
  ...(description === undefined ? {} : { description }),
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});

export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
export const page = (items: JsonSchema): JsonSchema => object({ items: arrayOf(items), count: int(0) });
