import type { Command } from 'commander';
import { type ConfigInput, resolveConfig, unknownEnvVars } from '../../config/index.js';
import { startServer } from '../../server/index.js';

/** `lakecast serve`: starts the server until SIGINT/SIGTERM. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start Lakecast (MySQL protocol + HTTP API) with embedded defaults')
    .option('-c, --config <file>', 'JSON config file')
    .option('--data-dir <dir>', 'data directory (default ./lakecast-data)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--mysql-port <port>', 'MySQL protocol port (default 3307)')
    .option('--http-port <port>', 'HTTP port (default 8080)')
    .option('--catalog <url>', 'sqlite (default), sqlite:/path/file.db or postgres://…')
    .option('--hub <location>', 'hub log: a directory (default <data-dir>/hub) or nats://host:4222')
    .option('--demo', 'generate and register the demo schema on first start')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const overrides: Record<string, unknown> = {
        dataDir: opts.dataDir,
        host: opts.host,
        mysqlPort: opts.mysqlPort,
        httpPort: opts.httpPort,
        catalog: opts.catalog,
        demo: opts.demo,
        hub: typeof opts.hub === 'string' ? { location: opts.hub } : undefined,
        logLevel: opts.logLevel,
      };
      const config = resolveConfig({
        file: typeof opts.config === 'string' ? opts.config : undefined,
        env: process.env,
        overrides: overrides as ConfigInput,
      });
      const server = await startServer(config);
      for (const { name, didYouMean } of unknownEnvVars(process.env)) {
        server.logger.warn(
          { variable: name, ...(didYouMean ? { didYouMean } : {}) },
          `${name} is not a Lakecast setting and is ignored${didYouMean ? ` (did you mean ${didYouMean}?)` : ''}`,
        );
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.logger.info({ signal }, 'shutting down');
        server
          .close()
          .then(() => process.exit(0))
          .catch((err: unknown) => {
            server.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
