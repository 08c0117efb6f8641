import { describe, expect, it } from 'vitest';
import { canActOnAlarms, liveMaySignOut, loginBody, loginFailureKey } from './access-logic.js';

describe('canActOnAlarms', () => {
  it.each([
    ['admin', true],
    ['dispatcher', true],
    ['viewer', false],
    ['integrator', false],
    ['', false],
    [undefined, false],
    ['ADMIN', false],
  ])('%s -> %s', (role, can) => expect(canActOnAlarms(role)).toBe(can));
});

describe('loginBody', () => {
  it.each([
    [{ token: ' lw_a_b ' }, { token: 'lw_a_b' }],
    [{ token: 'lw_a_b', username: 'zhang', password: 'pw' }, { token: 'lw_a_b' }],
    [{ username: ' zhang ', password: ' pw ' }, { username: 'zhang', password: ' pw ' }],
    [{ username: 'zhang', password: '' }, null],
    [{ username: '  ', password: 'pw' }, null],
    [{ token: '   ' }, null],
    [{}, null],
  ])('%j -> %j', (form, body) => expect(loginBody(form)).toEqual(body));
});

describe('loginFailureKey', () => {
  it.each([
    [{ code: 'NETWORK', status: 0 }, 'token', 'loginUnreachable'],
    [{ code: 'UNAUTHENTICATED', status: 401 }, 'token', 'loginBadToken'],
    [{ code: 'UNAUTHENTICATED', status: 401 }, 'password', 'loginBadPassword'],
    [{ code: 'FORBIDDEN', status: 403 }, 'password', 'loginBadPassword'],
    [{ code: 'TOO_MANY_REQUESTS', status: 429 }, 'password', 'loginTooMany'],
    [{ code: 'HTTP_502', status: 502 }, 'token', 'loginServerError'],
    [{ code: 'INTERNAL', status: 500 }, 'token', 'loginServerError'],
    [{ code: 'VALIDATION', status: 400 }, 'token', 'loginFailed'],
    [{}, 'token', 'loginFailed'],
  ] as const)('%j by %s -> %s', (err, how, key) => expect(loginFailureKey(err, how)).toBe(key));
});

describe('liveMaySignOut', () => {
  it.each([
    [false, 1006, true],
    [true, 4401, true],
    [false, 4401, true],
    [true, 1006, false],
    [true, 1000, false],
    [true, 4403, false],
  ])('opened %s, close %i -> %s', (opened, code, ask) => expect(liveMaySignOut(opened, code)).toBe(ask));
});
