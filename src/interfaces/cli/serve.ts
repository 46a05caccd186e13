import { resolveJwtKeys } from '../../infrastructure/auth/dev-secret.js';
import { ConfigError, loadConfig } from '../../infrastructure/config/config.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { startService } from '../service.js';

/** `npm start`: serve until SIGTERM/SIGINT, then drain and exit 0. */
const main = async (): Promise<void> => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { node: config.nodeId });
  if (resolveJwtKeys(config).generated) {
    logger.warn(
      { dataDir: config.dataDir },
      'No JWT_SECRET or JWT_PUBLIC_KEY: using a development secret kept in DATA_DIR/jwt-secret. Mint a token with: npm run token -- <username>',
    );
  }
  const service = await startService(config, logger);
  let signals = 0;
  const shutdown = (signal: string): void => {
    signals += 1;
    if (signals > 1) process.exit(1);
    logger.info({ signal }, 'draining');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
};

main().catch((err: unknown) => {
  // A configuration mistake is the operator's to fix: one line that says what, no stack.
  if (err instanceof ConfigError) createLogger('error').fatal(`failed to start: ${err.message}`);
  else createLogger('error').fatal({ err }, 'failed to start');
  process.exit(1);
});
