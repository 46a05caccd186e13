import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers for a JSON API, its /docs page and the /demo app: pages use only their own
 * stylesheets (no inline style, nothing from elsewhere) and may not be framed. Only /demo runs a
 * script, its own file (`scripts`); no page runs inline script.
 */
export const securityHeaders = (o: { readonly scripts?: boolean } = {}): RequestHandler =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        ...(o.scripts === true ? { scriptSrc: ["'self'"] } : {}),
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    // Allowed origins read answers through CORS; CORP only restricts no-cors embedding.
    crossOriginResourcePolicy: { policy: 'same-site' },
    frameguard: { action: 'deny' },
  });

/** The headers of `securityHeaders`, with the demo's own script allowed under /demo only. */
export const securityHeadersByPath = (): RequestHandler => {
  const plain = securityHeaders();
  const withScripts = securityHeaders({ scripts: true });
  return (req, res, next) => (req.path === '/demo' || req.path.startsWith('/demo/') ? withScripts : plain)(req, res, next);
};
