import { describe, expect, it } from 'vitest';
import { bearerOf, formatCredential, isUsername, parseCredential } from './credential.js';

const ID = '0123456789abcdef';
const SECRET = 'A'.repeat(20) + '_-' + 'z9'.repeat(10) + 'x';

describe('credentials', () => {
  it('round-trips a token and a session', () => {
    expect(parseCredential('token', formatCredential('token', { id: ID, secret: SECRET }))).toEqual({ id: ID, secret: SECRET });
    expect(parseCredential('session', formatCredential('session', { id: ID, secret: SECRET }))).toEqual({ id: ID, secret: SECRET });
  });

  it.each([
    ['', undefined],
    [`lw_${ID}_${SECRET}`, { id: ID, secret: SECRET }],
    [`lw_${ID}_${SECRET}x`, undefined],
    [`lw_${ID}_${SECRET.slice(1)}`, undefined],
    [`lw_${ID}-${SECRET}`, undefined],
    [`lw_${ID.toUpperCase()}_${SECRET}`, undefined],
    [`lw_${ID.slice(1)}_${SECRET}x`, undefined],
    [`LW_${ID}_${SECRET}`, undefined],
    [`lws_${ID}_${SECRET}`, undefined],
    [`lw_${ID}_${SECRET.slice(1)}=`, undefined],
    [`lw_${ID}_${SECRET.slice(1)}é`, undefined],
    [` lw_${ID}_${SECRET}`, undefined],
    [`lw_${ID}_${SECRET}\n`, undefined],
  ])('token %j parses to %j', (text, expected) => {
    expect(parseCredential('token', text)).toEqual(expected);
  });

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer  abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
  ])('Authorization %j carries %j', (header, expected) => {
    expect(bearerOf(header)).toBe(expected);
  });

  it.each([
    ['alice', true],
    ['ops.lead-2', true],
    ['a', false],
    ['Alice', false],
    ['1alice', false],
    ['deadbeefdeadbeef', false],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['al ice', false],
  ])('username %j is valid: %s', (text, expected) => {
    expect(isUsername(text)).toBe(expected);
  });
});
