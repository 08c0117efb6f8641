import { describe, expect, it } from 'vitest';
import { planConnect, type ConnectAttempt, type ConnectPlan } from './connect-rules.js';

const base: ConnectAttempt = { clientId: 'M1', username: 'M1', hasPassword: true, keepaliveS: 60, certificate: undefined };
const rules = { allowAnonymous: false, keepaliveMinS: 5, keepaliveMaxS: 3600 };
const refused = (returnCode: number, reason: string, credentialFailure = true): ConnectPlan =>
  ({ kind: 'refuse', returnCode, reason, credentialFailure }) as ConnectPlan;

describe('planConnect', () => {
  it.each<[string, Partial<ConnectAttempt>, boolean, ConnectPlan]>([
    ['a device with its secret', {}, false, { kind: 'secret', deviceId: 'M1' }],
    ['no credentials', { username: undefined, hasPassword: false }, false, refused(5, 'no_credentials')],
    ['an empty username', { username: '' }, false, refused(5, 'no_credentials')],
    ['no credentials, anonymous allowed', { username: undefined, hasPassword: false }, true, { kind: 'anonymous' }],
    ['a username but no secret', { hasPassword: false }, false, refused(4, 'no_secret')],
    ['another device id as client id', { clientId: 'M2' }, false, refused(2, 'client_id_not_username')],
    ['another device id as client id, anonymous allowed', { clientId: 'M2' }, true, refused(2, 'client_id_not_username')],
    ['keepalive 0', { keepaliveS: 0 }, false, refused(2, 'keepalive_out_of_bounds', false)],
    ['keepalive just below', { keepaliveS: 4 }, false, refused(2, 'keepalive_out_of_bounds', false)],
    ['keepalive at the minimum', { keepaliveS: 5 }, false, { kind: 'secret', deviceId: 'M1' }],
    ['keepalive at the maximum', { keepaliveS: 3600 }, false, { kind: 'secret', deviceId: 'M1' }],
    ['keepalive just above', { keepaliveS: 3601 }, false, refused(2, 'keepalive_out_of_bounds', false)],
    ['ill-formed UTF-8 in the client id', { clientId: 'M\uFFFD1' }, true, { kind: 'close', reason: 'invalid_utf8' }],
    ['U+0000 in the username', { username: 'M1\u0000' }, true, { kind: 'close', reason: 'invalid_utf8' }],
    ['a verified certificate, no password', { certificate: { cn: 'M1' }, username: undefined, hasPassword: false }, false, { kind: 'certificate', deviceId: 'M1' }],
    ['a verified certificate with the same username', { certificate: { cn: 'M1' } }, false, { kind: 'certificate', deviceId: 'M1' }],
    ['a verified certificate of another device', { certificate: { cn: 'M2' } }, false, refused(2, 'client_id_not_certificate_cn')],
    ['a certificate for M1, username M2', { certificate: { cn: 'M1' }, username: 'M2' }, false, refused(2, 'client_id_not_certificate_cn')],
    ['an unverified certificate', { certificate: 'unverified' }, true, refused(4, 'certificate_not_verified')],
  ])('%s', (_name, change, allowAnonymous, expected) => {
    expect(planConnect({ ...base, ...change }, { ...rules, allowAnonymous })).toEqual(expected);
  });
});
