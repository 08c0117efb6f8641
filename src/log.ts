import { pino, type Logger } from 'pino';

export type { Logger };

/** The one logger; every step takes a child: `log.child({ step: 'ingest' })`. Errors go under `err`. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'loadwatch' } });
}
