import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** node's parser errors that have an answer of their own; any other is a 400. */
const STATUS_OF: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_REQUEST_TIMEOUT: 408,
  // The server's headersTimeout / requestTimeout: a slow or silent client.
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** A client that never reads its answer must not keep the socket: it is destroyed after this at the latest. */
const DESTROY_AFTER_MS = 1000;

const MESSAGE_OF: Readonly<Record<number, string>> = {
  431: 'Request headers too large (a token or cookie this long is refused)',
  408: 'Request timed out',
  400: 'Bad request: malformed HTTP',
};

/**
 * The http server's `clientError` answer: the same JSON `{ "msg": ... }` body as every other
 * error, where node's default answers 431/400 with an empty body. A socket that can no longer
 * be written to is just closed; one that was answered is destroyed once the answer is written
 * (a half-closed socket would be held for as long as the client cares to keep it).
 */
export const answerClientError = (err: Error & { code?: string }, socket: Duplex): void => {
  // A response already under way on this connection cannot be followed by another.
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || answering) {
    socket.destroy();
    return;
  }
  const status = STATUS_OF[err.code ?? ''] ?? 400;
  const body = JSON.stringify({ msg: MESSAGE_OF[status] ?? STATUS_CODES[status] ?? 'Bad request' });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
  setTimeout(() => socket.destroy(), DESTROY_AFTER_MS).unref();
};
