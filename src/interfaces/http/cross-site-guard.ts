import type { NextFunction, Request, Response } from 'express';
import { bearerToken, cookieToken } from '../../infrastructure/auth/token-from-request.js';
import { sendError } from './errors.js';
import { originAllowed, type AllowedOrigins } from './origins.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses cross-site request forgery: a state-changing request authenticated by the
 * `access_token` cookie (the browser attaches it whatever page sent the request) must come
 * from an allowed origin. Without an `Origin` header, `Sec-Fetch-Site` tells a browser's
 * cross-site request apart. Bearer tokens cannot be attached by another site, so they pass.
 */
export const crossSiteGuard =
  (allowed: AllowedOrigins) =>
  (req: Request, res: Response, next: NextFunction): void => {
    if (!UNSAFE.has(req.method) || bearerToken(req) !== undefined || cookieToken(req) === undefined) return next();
    const origin = req.headers.origin;
    const fetchSite = req.headers['sec-fetch-site'];
    const refused = origin !== undefined ? !originAllowed(origin, allowed) : fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
    if (refused) return sendError(res, 403, 'Cross-site request refused: this origin may not use the access_token cookie');
    next();
  };
