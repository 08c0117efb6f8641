import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, cookieValue, sessionCookie } from './cookies.js';

describe('cookies', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['lw_session=abc', 'abc'],
    ['a=1; lw_session=abc; b=2', 'abc'],
    ['a=1;lw_session=abc', 'abc'],
    ['lw_session="abc"', 'abc'],
    ['xlw_session=abc', undefined],
    ['lw_sessionx=abc', undefined],
    ['lw_session', undefined],
    ['lw_session=a=b', 'a=b'],
    ['lw_session=first; lw_session=second', 'first'],
  ])('%j -> %j', (header, expected) => {
    expect(cookieValue(header, 'lw_session')).toBe(expected);
  });

  it.each([
    [false, 'lw_session=v; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200'],
    [true, 'lw_session=v; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200; Secure'],
  ])('secure %s', (secure, expected) => {
    expect(sessionCookie('v', 12 * 3_600_000, secure)).toBe(expected);
  });

  it('clears with Max-Age=0', () => {
    expect(clearedSessionCookie(false)).toBe('lw_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  });
});
