import pino, { type Logger } from 'pino';

/** JSON lines to stdout; pretty when a person is watching a terminal. */
export function createLogger(name = 'cloud'): Logger {
  const level = process.env.TAPLINE_LOG_LEVEL ?? 'info';
  if (process.stdout.isTTY) {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino({ name, level });
}
