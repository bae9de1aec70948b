import { type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** The process role, e.g. "edge" or "coordinator". */
  service: string;
  level?: string;
  /** Where lines go; standard output by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured JSON logs, one object a line. Secrets never reach a log line:
 * the redact list covers every field that may carry a credential.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? process.env.TRIBUTARY_LOG_LEVEL ?? 'info',
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'authorization',
          'apiKey',
          'api_key',
          'joinToken',
          'join_token',
          'password',
          '*.authorization',
          '*.apiKey',
          '*.joinToken',
          '*.password',
          'headers.authorization',
          'headers["x-api-key"]',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  );
}
