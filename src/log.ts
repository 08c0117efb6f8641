import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach a log line, should one be logged by mistake: HTTP credentials (a serialised
 * request or response, or bare `headers`), and the secret-bearing fields of our own objects and of an MQTT
 * CONNECT packet (`password`). One level deep only (`*.password`), which is where they sit; a wider net
 * costs every log call. The value is replaced, not removed, so a reader sees that the field was there.
 * The first defence is not logging bodies, packets or credentials at all; this is the second.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  ...['password', 'secret', 'token', 'sessionId'].flatMap((key) => [key, `*.${key}`]),
];

export const REDACTED = '[redacted]';

/** The one logger; every step takes a child: `log.child({ step: 'ingest' })`. Errors go under `err`. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'loadwatch' }, redact: { paths: REDACTED_PATHS, censor: REDACTED } }, destination);
}
