import { Router } from 'express';
import { asyncApiDocument } from './asyncapi.js';
import { DOCS_CSS } from './docs-css.js';
import { renderDocsPage } from './docs-page.js';
import { openApiDocument } from './openapi.js';

/** The contract, served without a token: both documents and their rendering at /docs. */
export const docsRouter = (): Router => {
  const openapi = openApiDocument();
  const asyncapi = asyncApiDocument();
  const page = renderDocsPage(openapi, asyncapi);
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  router.get('/api/asyncapi.json', (_req, res) => {
    res.json(asyncapi);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/docs/docs.css', (_req, res) => {
    res.type('css').send(DOCS_CSS);
  });
  return router;
};
