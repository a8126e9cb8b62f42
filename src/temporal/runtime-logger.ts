/**
 * Routes the Temporal runtime's logs (SDK, workflow `log`, activity `log`) into pino, so the
 * worker has one log stream. Installed once per process, before any Worker is created.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.js';

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** A Temporal logger writing to `logger`; `levelOf` may move a record to another level (e.g. INFO to DEBUG). */
export function pinoTemporalLogger(logger: Logger, levelOf: (level: LogLevel) => LogLevel = (level) => level): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[levels[levelOf(level)]](meta ?? {}, message);
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

let installed = false;

/** Installs the pino-backed runtime logger; later calls are no-ops (the Runtime is a singleton). */
export function installRuntimeLogger(logger: Logger): void {
  if (installed) return;
  Runtime.install({ logger: pinoTemporalLogger(logger) });
  installed = true;
}
