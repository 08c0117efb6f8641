import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from './webhook-url.js';

describe('webhookUrlProblem', () => {
  it.each([
    ['https://hooks.example.com/alarms', false, undefined],
    ['https://10.0.0.5:8443/x', false, undefined],
    ['http://hooks.example.com/alarms', true, 'must be https (plain http is accepted only to a loopback address)'],
    ['http://127.0.0.1:9000/hook', false, 'must be https (plain http to loopback needs NOTIFY_ALLOW_LOOPBACK_HTTP=true)'],
    ['http://127.0.0.1:9000/hook', true, undefined],
    ['http://127.1.2.3/hook', true, undefined],
    ['http://localhost:9000/hook', true, undefined],
    ['http://[::1]:9000/hook', true, undefined],
    ['http://10.0.0.5/hook', true, 'must be https (plain http is accepted only to a loopback address)'],
    ['ftp://example.com/x', true, 'must be https'],
    ['not a url', true, 'is not an absolute URL'],
    ['/relative', true, 'is not an absolute URL'],
    ['https://user:pw@example.com/', false, 'must not carry credentials; the secret signs every request'],
    ['https://example.com/#frag', false, 'must not have a #fragment'],
  ])('%s (loopback http allowed: %s) -> %s', (url, allow, expected) => {
    expect(webhookUrlProblem(url, allow)).toBe(expected);
  });
});
