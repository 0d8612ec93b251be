import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** JSON lines to stdout for machines; readable colour when a person is watching the terminal. */
export function createLogger(level = process.env.TAPLINE_LOG_LEVEL ?? 'info'): Logger {
  const options = { name: 'hub', level };
  return process.stdout.isTTY ? pino(options, pretty({ colorize: true, sync: true })) : pino(options);
}
