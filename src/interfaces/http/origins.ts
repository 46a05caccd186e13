import { normaliseOrigin } from '../../infrastructure/config/origin.js';

export { normaliseOrigin };

/**
 * Browser origins allowed to use the service (`ALLOWED_ORIGINS`). A request without an `Origin`
 * header is not a browser's cross-origin request (curl, a server, a native client) and is allowed.
 */
export type AllowedOrigins = ReadonlySet<string>;

export const originAllowed = (origin: string | undefined, allowed: AllowedOrigins): boolean =>
  origin === undefined || allowed.has(normaliseOrigin(origin) ?? `invalid:${origin}`);
