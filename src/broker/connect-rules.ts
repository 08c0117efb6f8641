import { isBadMqttString } from './topic-acl.js';

export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  hasPassword: boolean;
  keepaliveS: number;
  /** TLS listener only: the CN of a verified client certificate, or 'unverified' when the one presented did not verify. */
  certificate: { cn: string } | 'unverified' | undefined;
}

export interface ConnectRules {
  allowAnonymous: boolean;
  keepaliveMinS: number;
  keepaliveMaxS: number;
}

/** CONNACK return codes of MQTT 3.1.1 [MQTT-3.2.2-3]. */
export type RefusalCode = 2 | 4 | 5;

export type ConnectPlan =
  /** Malformed: close without a CONNACK [MQTT-1.5.3-1]. */
  | { kind: 'close'; reason: string }
  /** credentialFailure: counts toward the IP's lockout (a wrong keepalive does not). */
  | { kind: 'refuse'; returnCode: RefusalCode; reason: string; credentialFailure: boolean }
  | { kind: 'anonymous' }
  | { kind: 'certificate'; deviceId: string }
  | { kind: 'secret'; deviceId: string };

const refuse = (returnCode: RefusalCode, reason: string, credentialFailure = true): ConnectPlan => ({ kind: 'refuse', returnCode, reason, credentialFailure });

/**
 * What to do with a CONNECT, before any secret is checked. The client id must be the device id, so nobody
 * takes over another device's session by connecting with its client id [MQTT-3.1.4-2 would close the other].
 */
export function planConnect(a: ConnectAttempt, rules: ConnectRules): ConnectPlan {
  if (isBadMqttString(a.clientId) || (a.username !== undefined && isBadMqttString(a.username))) return { kind: 'close', reason: 'invalid_utf8' };
  // MQTT 3.1.1 has no code for a refused keepalive; like Mosquitto's max_keepalive we answer "identifier rejected".
  // 0 ("never") would let a dead connection hold its session forever.
  if (a.keepaliveS < rules.keepaliveMinS || a.keepaliveS > rules.keepaliveMaxS) return refuse(2, 'keepalive_out_of_bounds', false);
  if (a.certificate === 'unverified') return refuse(4, 'certificate_not_verified');
  if (a.certificate) {
    const { cn } = a.certificate;
    if (a.clientId !== cn || (a.username !== undefined && a.username !== '' && a.username !== cn)) return refuse(2, 'client_id_not_certificate_cn');
    return { kind: 'certificate', deviceId: cn };
  }
  if (a.username === undefined || a.username === '') return rules.allowAnonymous ? { kind: 'anonymous' } : refuse(5, 'no_credentials');
  if (a.clientId !== a.username) return refuse(2, 'client_id_not_username');
  if (!a.hasPassword) return refuse(4, 'no_secret');
  return { kind: 'secret', deviceId: a.username };
}
