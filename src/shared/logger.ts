import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Creates the process logger. Secrets are redacted by key name wherever they appear in a logged object,
 * so a password, token or signing key never reaches a log line.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'lakecast',
    level: options.level ?? process.env.LAKECAST_LOG_LEVEL ?? 'info',
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'secret',
        '*.secret',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'rootPassword',
        '*.rootPassword',
        'accessKey',
        '*.secretAccessKey',
        'secretAccessKey',
      ],
      censor: '[redacted]',
    },
  });
}

/** A logger that discards everything (tests, embedded use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
