import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from './signature.js';

const secret = 'whsec_test';
const body = '{"a":1}';
const t = 1_740_000_000;
const good = signatureHeader(secret, body, t);

describe('signatureHeader', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(good).toBe(`t=${t},v1=${mac}`);
  });
});

describe('verifySignature', () => {
  it.each([
    ['the header as signed', good, secret, body, t, true],
    ['within tolerance', good, secret, body, t + 300, true],
    ['too old (replay)', good, secret, body, t + 301, false],
    ['from the future', good, secret, body, t - 301, false],
    ['another secret', good, 'whsec_other', body, t, false],
    ['a changed body', good, secret, '{"a":2}', t, false],
    ['a changed timestamp', good.replace(`t=${t}`, `t=${t + 1}`), secret, body, t, false],
    ['no v1', `t=${t}`, secret, body, t, false],
    ['garbage', 'nonsense', secret, body, t, false],
    ['short mac', `t=${t},v1=abcd`, secret, body, t, false],
  ])('%s -> %s', (_name, header, s, b, now, expected) => {
    expect(verifySignature(header, s, b, now)).toBe(expected);
  });
});
