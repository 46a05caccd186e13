import cors from 'cors';
import type { RequestHandler } from 'express';
import { normaliseOrigin, type AllowedOrigins } from './origins.js';

export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS'] as const;

/**
 * CORS for the REST API: allowed origins get credentialed access with `Authorization` and
 * `Content-Type` (preflights are answered here, before authentication); any other origin gets
 * no CORS header, so its page cannot read an answer.
 */
export const corsPolicy = (allowed: AllowedOrigins): RequestHandler =>
  cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(normaliseOrigin(origin) ?? '')),
    credentials: true,
    methods: [...CORS_METHODS],
    allowedHeaders: ['Authorization', 'Content-Type'],
    // A 503's Retry-After tells a browser client when to retry.
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
