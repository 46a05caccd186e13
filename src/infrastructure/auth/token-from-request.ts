import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const nonEmpty = (s: string | null | undefined): string | undefined => (s ? s : undefined);

export const bearerToken = (req: IncomingMessage): string | undefined => nonEmpty(BEARER.exec(req.headers.authorization ?? '')?.[1]);

export const cookieToken = (req: IncomingMessage): string | undefined => {
  const cookieHeader = req.headers.cookie;
  return cookieHeader ? nonEmpty(parseCookie(cookieHeader)['access_token']) : undefined;
};

/**
 * Finds the JWT in the protocol's order: `Authorization: Bearer`, cookie `access_token`,
 * then (WebSocket only, since browsers cannot set headers there) the `token` query parameter.
 */
export const tokenFromRequest = (req: IncomingMessage, opts: { allowQuery: boolean }): string | undefined => {
  const fromHeader = bearerToken(req);
  if (fromHeader) return fromHeader;

  const fromCookie = cookieToken(req);
  if (fromCookie) return fromCookie;

  if (!opts.allowQuery || req.url === undefined) return undefined;
  try {
    return nonEmpty(new URL(req.url, 'http://localhost').searchParams.get('token'));
  } catch {
    return undefined;
  }
};
