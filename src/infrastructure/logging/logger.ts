import { pino, type Logger } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

/**
 * JSON lines for machines; `pretty` (pino-pretty, in a worker thread) for a developer's terminal.
 * Without LOG_FORMAT, a terminal gets pretty logs and anything else JSON.
 */
export const createLogger = (level: string, bindings: Record<string, string> = {}, format: LogFormat = 'json'): Logger =>
  format === 'pretty'
    ? pino({
        level,
        base: { ...bindings },
        transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
      })
    : pino({ level, base: { ...bindings } });
