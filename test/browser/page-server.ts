import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  /** This page's origin, named with `localhost` (the API's host too: cookies are per host, not per port). */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

const PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>test client</title></head><body><h1>test client</h1></body></html>';

/** A tiny page on another port (another origin) from which the browser calls the API. Listens on 127.0.0.1 only. */
export const startPageServer = async (): Promise<PageServer> => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://localhost:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
