import { join } from 'node:path';
import express, { Router } from 'express';
import { signDevToken } from '../../infrastructure/auth/token-signer.js';
import { isUsername } from '../../domain/user/identity.js';
import { sendError } from '../http/errors.js';
import { fromLoopback } from '../http/loopback.js';

/** The repository's root, from `dist/src/interfaces/demo/`. */
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
/** The page and its stylesheet (`demo/public/`) and the bundled script (`dist/demo/`, by `npm run build`). */
export const DEMO_PUBLIC_DIR = join(ROOT, 'demo', 'public');
export const DEMO_BUNDLE_DIR = join(ROOT, 'dist', 'demo');

/** Minted tokens last 12 hours; the page asks for a new one when the SDK wants it. */
const DEMO_TOKEN_SECONDS = 12 * 3600;

export interface DemoOptions {
  /**
   * The generated development secret; undefined when a real key is configured or in production (then
   * no token is ever minted). Even with it, only clients on this machine get tokens.
   */
  readonly devSecret: string | undefined;
}

/** The demo chat app at /demo and, with the development secret only and for loopback clients only, `POST /demo/token`. */
export const demoRouter = (o: DemoOptions): Router => {
  const router = Router();
  router.get('/demo', (_req, res) => {
    res.sendFile(join(DEMO_PUBLIC_DIR, 'index.html'));
  });
  router.post('/demo/token', (req, res) => {
    if (o.devSecret === undefined) return sendError(res, 404, 'Not found');
    // Anyone else could mint a token for any username, and so take it over.
    if (!fromLoopback(req)) return sendError(res, 403, 'Demo tokens are minted only for clients on this machine (loopback, not proxied)');
    const username: unknown = (req.body as { username?: unknown } | undefined)?.username;
    if (typeof username !== 'string' || !isUsername(username)) {
      return sendError(res, 400, 'username must be 1 to 50 letters, digits, _, - or .');
    }
    const token = signDevToken({ secret: o.devSecret, userId: `demo-${username}`, username, expiresInSeconds: DEMO_TOKEN_SECONDS });
    res.json({ token });
  });
  // The page's URLs are absolute, so /demo and /demo/ both show it; anything else falls through to the 404.
  const statics = { index: 'index.html', redirect: false };
  router.use('/demo', express.static(DEMO_PUBLIC_DIR, statics), express.static(DEMO_BUNDLE_DIR, statics));
  return router;
};
