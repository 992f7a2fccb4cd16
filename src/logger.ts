/**
 * The process logger (pino). Human-readable lines on a terminal, JSON lines otherwise or when
 * LIGHTSOUT_LOG_FORMAT=json, so log shippers get structure and people get sentences.
 * @module
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Create the logger for a level. */
export function createLogger(level: string, format = process.env.LIGHTSOUT_LOG_FORMAT): Logger {
  const json = format === 'json' || (format !== 'pretty' && !process.stderr.isTTY && process.env.CI !== undefined);
  if (json) return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
  const stream = pretty({ sync: true, destination: 2, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
  return pino({ level, base: undefined }, stream);
}
