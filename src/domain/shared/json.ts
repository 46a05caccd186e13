/** JSON values as stored in event payloads; kept structural so domain events stay serialisable. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };
