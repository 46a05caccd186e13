import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** node's parser errors that have an answer of their own; any other is a 400. */
const STATUS_OF: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_REQUEST_TIMEOUT: 408,
};

const MESSAGE_OF: Readonly<Record<number, string>> = {
  431: 'Request headers too large (a token or cookie this long is refused)',
  408: 'Request timed out',
  400: 'Bad request: malformed HTTP',
};

/**
 * The http server's `clientError` answer: the same JSON `{ "msg": ... }` body as every other
 * error, where node's default answers 431/400 with an empty body. A socket that can no longer
 * be written to is just closed.
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
  );
};
