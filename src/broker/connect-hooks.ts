import type { AuthenticateError, AuthenticateHandler, Client, PreConnectHandler } from 'aedes';
import type { DeviceAuth, DevicePrincipal } from '../access/device.js';
import type { RecordSecurityEvent } from '../access/security-events.js';
import type { AuthLockout } from '../access/auth-lockout.js';
import { planConnect, type ConnectPlan, type ConnectRules } from './connect-rules.js';
import { remoteIp, type Sessions } from './sessions.js';
import { clientCertificate } from './tls-listener.js';

export interface ConnectHookDeps {
  rules: ConnectRules;
  deviceAuth: DeviceAuth;
  lockout: AuthLockout;
  sessions: Sessions;
  /** While the ingest buffer is full, new connections get CONNACK 3 "server unavailable" [MQTT-3.2.2-6]. */
  journal: { readonly full: boolean };
  securityEvent: RecordSecurityEvent;
  clock: () => number;
}

const refusal = (returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError => Object.assign(new Error(message), { returnCode });

/**
 * CONNECT: preConnect sees the whole packet (keepalive, client id) and closes on malformed strings without a
 * CONNACK; authenticate answers with the return code (lib/handlers/connect.js sends it, then closes
 * [MQTT-3.2.2-5]) and records who the session belongs to.
 */
export function connectHooks(deps: ConnectHookDeps): { preConnect: PreConnectHandler; authenticate: AuthenticateHandler } {
  const { rules, deviceAuth, lockout, sessions, journal, securityEvent, clock } = deps;
  const plans = new WeakMap<Client, ConnectPlan>();

  const preConnect: PreConnectHandler = (client, packet, callback) => {
    const plan = planConnect(
      {
        clientId: packet.clientId,
        username: packet.username,
        hasPassword: packet.password !== undefined,
        keepaliveS: packet.keepalive ?? 0,
        certificate: clientCertificate(client.conn),
      },
      rules,
    );
    if (plan.kind !== 'close') {
      plans.set(client, plan);
      return callback(null, true);
    }
    securityEvent('auth_failure', { ip: remoteIp(client), reason: plan.reason }, 'MQTT CONNECT with a malformed client id or username closed');
    callback(new Error(`CONNECT refused: ${plan.reason}`), false);
  };

  const authenticate: AuthenticateHandler = (client, username, password, done) => {
    const ip = remoteIp(client);
    const plan = plans.get(client);
    plans.delete(client);
    // Refused before any secret is hashed: a locked-out address costs no scrypt work.
    if (lockout.isLocked(ip, clock())) return done(refusal(5, 'address locked out after repeated failed logins'), false);
    if (!plan) return done(refusal(5, 'no CONNECT plan'), false);
    if (journal.full) return done(refusal(3, 'ingest buffer full'), false);

    const fail = (returnCode: 2 | 4 | 5, reason: string, credentialFailure = true): void => {
      securityEvent('auth_failure', { ip, clientId: client.id, username, reason, returnCode }, 'MQTT login refused');
      if (credentialFailure && lockout.failed(ip, clock())) {
        securityEvent('lockout', { ip }, 'MQTT logins from this address refused for a while after repeated failures');
      }
      done(refusal(returnCode, reason), false);
    };
    const accept = (principal: DevicePrincipal | 'anonymous'): void => {
      sessions.set(client, { principal, ip });
      done(null, true);
    };

    switch (plan.kind) {
      case 'refuse':
        return fail(plan.returnCode, plan.reason, plan.credentialFailure);
      case 'anonymous':
        // An anonymous client may not borrow a credentialed device's id: aedes would close that device's
        // session to make room [MQTT-3.1.4-2].
        return deviceAuth.byCertificate(client.id) ? fail(2, 'client_id_of_a_device') : accept('anonymous');
      case 'certificate': {
        const principal = deviceAuth.byCertificate(plan.deviceId);
        return principal ? accept(principal) : fail(4, 'no_live_credential');
      }
      case 'secret':
        deviceAuth.verify(plan.deviceId, password?.toString('utf8') ?? '').then(
          (principal) => (principal ? accept(principal) : fail(4, 'bad_credentials')),
          (err: unknown) => done(Object.assign(refusal(3, 'credential check failed'), { cause: err }), false),
        );
    }
  };

  return { preConnect, authenticate };
}
