import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, type ResolveHost } from './webhook-target.js';

/** A name table standing in for DNS, so the check's use of every answer is shown without the network. */
const NAMES: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14'],
  'rebind.example': ['93.184.215.14', '127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
};
const resolve: ResolveHost = async (host) => {
  const found = NAMES[host] ?? (/^[\d.]+$|:/.test(host) ? [host] : undefined);
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};

describe('checkWebhookUrl', () => {
  it.each<[string, boolean, { address: string } | { problem: string }]>([
    ['https://hooks.example.com/a', false, { address: '93.184.215.14' }],
    ['http://127.0.0.1:9/a', true, { address: '127.0.0.1' }],
    ['http://[::1]:9/a', true, { address: '::1' }],
    ['https://rebind.example/a', false, { problem: 'host rebind.example resolves to 127.0.0.1, a loopback address (127.0.0.0/8): allowed only with NOTIFY_ALLOW_LOOPBACK_HTTP=true (tests)' }],
    ['https://metadata.example/a', true, { problem: 'host metadata.example resolves to 169.254.169.254, a link-local address (169.254.0.0/16): webhooks may only reach public addresses' }],
    ['https://nowhere.example/a', true, { problem: 'host nowhere.example does not resolve (ENOTFOUND)' }],
    ['ftp://hooks.example.com/a', true, { problem: 'must be https' }],
  ])('%s (loopback allowed: %s) -> %j', async (text, allowLoopbackHttp, expected) => {
    expect(await checkWebhookUrl(text, { allowLoopbackHttp, resolve })).toMatchObject({ ok: !('problem' in expected), ...expected });
  });
});
