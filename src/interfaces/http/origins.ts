import { normaliseOrigin } from '../../infrastructure/config/origin.js';

export { normaliseOrigin };

/**
 * Browser origins allowed to use the service (`ALLOWED_ORIGINS`). A request without an `Origin`
 * header is not a browser's cross-origin request (curl, a server, a native client) and is allowed.
 */
export type AllowedOrigins = ReadonlySet<string>;

export const originAllowed = (origin: string | undefined, allowed: AllowedOrigins): boolean =>
  origin === undefined || allowed.has(normaliseOrigin(origin) ?? `invalid:${origin}`);

/**
 * Whether a browser's `Origin` is the service's own host (the page it serves at /demo): compared
 * with the request's `Host`, so a page of another site (or another port) never matches, and a
 * rebound name carries no cookie of this host.
 */
export const sameHost = (origin: string | undefined, host: string | undefined): boolean => {
  if (origin === undefined || host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
};
