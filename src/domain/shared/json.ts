/** JSON values as stored in event payloads; kept structural so domain events stay serialisable. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

/** A string field of older stored data, for upcasters: '' when absent. */
export const str = (data: JsonObject, key: string): string => {
  const v = data[key];
  return typeof v === 'string' ? v : '';
};
