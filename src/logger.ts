/** pino logging: JSON lines on stderr, so `--json` output on stdout stays clean. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.MLOPS_LOG_LEVEL || 'info'): Logger {
  return pino({ name, level }, pino.destination({ fd: 2, sync: false }));
}
