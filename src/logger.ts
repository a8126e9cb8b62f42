/**
 * pino logging on stderr, so `--json` output on stdout stays clean: readable lines
 * (pino-pretty) when stderr is a terminal, JSON lines otherwise (files, log shippers, CI).
 * `MLOPS_LOG_FORMAT=json|pretty` overrides the choice.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

/** `MLOPS_LOG_FORMAT` when set, else pretty on a terminal and JSON elsewhere. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTerminal = process.stderr.isTTY === true): LogFormat {
  const chosen = env.MLOPS_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return isTerminal ? 'pretty' : 'json';
}

/** Fields a person at a terminal does not read (JSON logs keep them all). */
const terminalNoise = ['pid', 'hostname', 'taskToken', 'runId', 'workflowRunId', 'namespace', 'isLocal', 'attempt', 'sdkComponent', 'taskQueue', 'activityId'].join(',');

/** A pino logger on stderr, named `name`; level from `MLOPS_LOG_LEVEL`, format from `MLOPS_LOG_FORMAT`. */
export function createLogger(name: string, level = process.env.MLOPS_LOG_LEVEL || 'info'): Logger {
  if (logFormat() === 'json') return pino({ name, level }, pino.destination({ fd: 2, sync: false }));
  return pino({ name, level }, pretty({ destination: 2, sync: false, singleLine: true, colorize: process.stderr.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: terminalNoise }));
}
