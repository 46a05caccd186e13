import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers for a JSON API and its /docs page: the page uses only its own stylesheet
 * (no script, no inline style, nothing from elsewhere) and may not be framed.
 */
export const securityHeaders = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
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
