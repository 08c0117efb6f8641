import { describe, expect, it } from 'vitest';
import { addressesProblem, parseWebhookUrl } from './webhook-url.js';

describe('parseWebhookUrl', () => {
  it.each([
    ['https://hooks.example.com/alarms', 'hooks.example.com'],
    ['http://127.0.0.1:9000/hook', '127.0.0.1'],
    ['http://[::1]:9000/hook', '::1'],
    ['http://[::ffff:127.0.0.1]/hook', '::ffff:7f00:1'],
    // WHATWG URL normalises the other IPv4 spellings, so the address check sees the real address.
    ['http://0x7f.1/hook', '127.0.0.1'],
    ['http://2130706433/hook', '127.0.0.1'],
    ['https://HOOKS.Example.com./x', 'hooks.example.com.'],
  ])('%s -> host %s', (text, host) => {
    expect(parseWebhookUrl(text)).toMatchObject({ ok: true, host });
  });

  it.each([
    ['ftp://example.com/x', 'must be https'],
    ['file:///etc/passwd', 'must be https'],
    ['not a url', 'is not an absolute URL'],
    ['/relative', 'is not an absolute URL'],
    ['https://user:pw@example.com/', 'must not carry credentials; the secret signs every request'],
    ['https://example.com/#frag', 'must not have a #fragment'],
  ])('%s -> %s', (text, problem) => {
    expect(parseWebhookUrl(text)).toEqual({ ok: false, problem });
  });
});

describe('addressesProblem', () => {
  const PUBLIC = 'webhooks may only reach public addresses';
  const LOOPBACK = 'allowed only with NOTIFY_ALLOW_LOOPBACK_HTTP=true (tests)';
  it.each<[string, string[], boolean, string | undefined]>([
    ['https://hooks.example.com/a', ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], false, undefined],
    ['https://203.0.113.10/a', ['203.0.113.10'], false, undefined],
    ['https://10.0.0.1/a', ['10.0.0.1'], false, `host 10.0.0.1 is a private address (10.0.0.0/8): ${PUBLIC}`],
    ['https://10.0.0.1/a', ['10.0.0.1'], true, `host 10.0.0.1 is a private address (10.0.0.0/8): ${PUBLIC}`],
    ['http://169.254.169.254/latest/meta-data/', ['169.254.169.254'], true, `host 169.254.169.254 is a link-local address (169.254.0.0/16): ${PUBLIC}`],
    ['https://100.64.1.1/a', ['100.64.1.1'], false, `host 100.64.1.1 is a carrier-grade NAT address (100.64.0.0/10): ${PUBLIC}`],
    ['https://0.0.0.0/a', ['0.0.0.0'], true, `host 0.0.0.0 is an unspecified address (0.0.0.0/8): ${PUBLIC}`],
    ['https://[ff02::1]/a', ['ff02::1'], false, `host ff02::1 is a multicast address (ff00::/8): ${PUBLIC}`],
    ['https://255.255.255.255/a', ['255.255.255.255'], false, `host 255.255.255.255 is the broadcast address (255.255.255.255/32): ${PUBLIC}`],
    ['http://127.0.0.1:9000/hook', ['127.0.0.1'], false, `host 127.0.0.1 is a loopback address (127.0.0.0/8): ${LOOPBACK}`],
    ['http://127.0.0.1:9000/hook', ['127.0.0.1'], true, undefined],
    ['https://[::1]:9000/hook', ['::1'], false, `host ::1 is a loopback address (::1/128): ${LOOPBACK}`],
    ['http://[::1]:9000/hook', ['::1'], true, undefined],
    ['http://localhost:9000/hook', ['127.0.0.1', '::1'], true, undefined],
    ['http://localhost:9000/hook', ['127.0.0.1', '::1'], false, `host localhost resolves to 127.0.0.1, a loopback address (127.0.0.0/8): ${LOOPBACK}`],
    // One bad address among good ones is enough: the connection could go to any of them.
    ['https://mixed.example/a', ['93.184.215.14', '10.1.2.3'], false, `host mixed.example resolves to 10.1.2.3, a private address (10.0.0.0/8): ${PUBLIC}`],
    ['https://mapped.example/a', ['::ffff:169.254.169.254'], false, `host mapped.example resolves to ::ffff:169.254.169.254, a link-local address (169.254.0.0/16): ${PUBLIC}`],
    ['http://hooks.example.com/alarms', ['93.184.215.14'], true, 'must be https (plain http is accepted only to a loopback address)'],
    ['http://hooks.example.com/alarms', ['127.0.0.1', '93.184.215.14'], true, 'must be https (plain http is accepted only to a loopback address)'],
    ['https://nothing.example/a', [], true, 'host nothing.example has no address'],
  ])('%s at %j (loopback allowed: %s) -> %s', (text, addresses, allowLoopback, expected) => {
    const parsed = parseWebhookUrl(text);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(addressesProblem(parsed, addresses, allowLoopback)).toBe(expected);
  });
});
