import { ConfigError } from '../../infrastructure/config/config.js';
import { CliFailure, UsageError } from './cli-args.js';

type SystemError = Error & { code: string; syscall?: string; path?: string; address?: string; port?: number };

const isSystemError = (e: unknown): e is SystemError =>
  e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { syscall?: unknown }).syscall === 'string';

/** libuv's codes in plain words (node's messages lead with the code and end with the syscall). */
const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  ETIMEDOUT: 'timed out',
};

const VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write to',
  mkdir: 'create',
  listen: 'listen on',
  connect: 'connect to',
  stat: 'read',
};

const describeSystemError = (e: SystemError): string => {
  const words = WORDS[e.code] ?? e.message;
  const verb = VERBS[e.syscall ?? ''] ?? e.syscall ?? 'use';
  const target = e.path ?? (e.address === undefined ? undefined : `${e.address}${e.port === undefined ? '' : `:${e.port}`}`);
  return target === undefined ? `${verb}: ${words}` : `cannot ${verb} ${target}: ${words}`;
};

/** Failures the user can act on from the message alone: no stack trace for them. */
export const isExpectedFailure = (e: unknown): boolean =>
  e instanceof UsageError ||
  e instanceof CliFailure ||
  e instanceof ConfigError ||
  isSystemError(e) ||
  (e instanceof Error && ['ImportError', 'LogLineError', 'ConfigError'].includes(e.name));

/**
 * `name: what went wrong`, on one line; a configuration error has one line per bad variable.
 */
export const describeFailure = (name: string, e: unknown): string => {
  if (e instanceof ConfigError)
    return e.message
      .split('\n')
      .map((line) => `${name}: ${line}`)
      .join('\n');
  const message = isSystemError(e) ? describeSystemError(e) : e instanceof Error ? e.message : String(e);
  return `${name}: ${message.replace(/\s*\n\s*/g, '; ')}`;
};
