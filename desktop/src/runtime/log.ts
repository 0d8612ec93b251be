import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines by default (what log shippers want); readable colours when a person is watching a terminal. */
export function createLogger(name: string): Logger {
  const level = process.env.TAPLINE_LOG_LEVEL ?? 'info';
  if (process.stdout.isTTY) {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino({ name, level });
}
