import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever address it arrived from. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

const isLoopbackAddress = (address: string | undefined): boolean => {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
};

/** A client on this machine, talking to the service directly (not through a proxy on it). */
export const fromLoopback = (req: IncomingMessage): boolean =>
  isLoopbackAddress(req.socket.remoteAddress) && FORWARDING_HEADERS.every((h) => req.headers[h] === undefined);
