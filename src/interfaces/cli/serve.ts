import { resolveJwtKeys } from '../../infrastructure/auth/dev-secret.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { startService } from '../service.js';
import { defineCli } from './cli-args.js';
import { runCli } from './run-cli.js';

const spec = defineCli({
  name: 'serve',
  synopsis: ['npm start', 'node dist/src/interfaces/cli/serve.js'],
  description:
    'Serves HTTP and WebSocket on HOST:PORT (default 0.0.0.0:8080) with data in DATA_DIR, configured by environment variables (see README.md); ' +
    'SIGTERM or SIGINT drains and exits 0, a second signal exits 1 at once.',
  options: {},
});

/** `npm start`: serve until SIGTERM/SIGINT, then drain and exit 0. */
runCli(
  spec,
  async () => {
    const config = loadConfig();
    const logger = createLogger(config.logLevel, { node: config.nodeId }, config.logFormat);
    if (resolveJwtKeys(config).generated) {
      logger.warn(
        { dataDir: config.dataDir },
        'No JWT_SECRET or JWT_PUBLIC_KEY: using a development secret kept in DATA_DIR/jwt-secret. Mint a token with: npm run token -- <username>',
      );
    }
    const service = await startService(config, logger);
    return new Promise<number>((resolve) => {
      let signals = 0;
      const shutdown = (signal: string): void => {
        signals += 1;
        if (signals > 1) process.exit(1);
        logger.info({ signal }, 'draining');
        service.stop().then(
          () => resolve(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
    // Once drained (stores flushed, logs written synchronously), a library timer left behind must
    // not hold up a container's stop.
  },
  { lingerMs: 0 },
);
