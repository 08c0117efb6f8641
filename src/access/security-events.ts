import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

export type SecurityEvent =
  | 'auth_failure'
  | 'acl_denied'
  | 'lockout'
  | 'limit_exceeded'
  | 'revocation'
  | 'credential_issued'
  | 'token_created'
  | 'login'
  | 'origin_refused'
  | 'webhook_refused'
  | 'config_change';

/**
 * One structured log line and one counter per security event, so an operator can alert on a rate and read
 * the details. `fields` must never carry a secret (see src/log.ts redaction as the second line of defence).
 */
export type RecordSecurityEvent = (event: SecurityEvent, fields: Record<string, unknown>, message: string) => void;

export function securityEvents(log: Logger, metrics: Pick<Metrics, 'securityEvents'>): RecordSecurityEvent {
  return (event, fields, message) => {
    metrics.securityEvents.inc({ event });
    log.warn({ event, ...fields }, message);
  };
}
