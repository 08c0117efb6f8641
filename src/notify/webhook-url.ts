import { classifyAddress, type AddressKind } from './address-class.js';

export type ParsedWebhookUrl = { ok: true; url: URL; host: string } | { ok: false; problem: string };

/**
 * The URL's form: absolute, http(s), no credentials, no fragment. `host` is the hostname without the
 * brackets of an IPv6 literal (WHATWG URL has already turned 0x7f.1 or 2130706433 into 127.0.0.1).
 */
export function parseWebhookUrl(text: string): ParsedWebhookUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: 'is not an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, problem: 'must not carry credentials; the secret signs every request' };
  if (url.hash) return { ok: false, problem: 'must not have a #fragment' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'must be https' };
  return { ok: true, url, host: url.hostname.replace(/^\[(.*)\]$/, '$1') };
}

const WHY: Record<Exclude<AddressKind, 'public'>, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  cgnat: 'a carrier-grade NAT address',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

/**
 * Server-side request forgery: a webhook may only reach public addresses, so a subscriber cannot make the
 * service post into its own network (databases, the cloud metadata service at 169.254.169.254). Every
 * address the host resolves to must pass, since the connection could go to any of them. Loopback is
 * allowed only with the test setting; plain http only to loopback, so alarm data and signatures never
 * cross a network in clear text. Undefined when the addresses are acceptable, otherwise why not.
 */
export function addressesProblem(parsed: { url: URL; host: string }, addresses: string[], allowLoopback: boolean): string | undefined {
  if (addresses.length === 0) return `host ${parsed.host} has no address`;
  const literal = addresses.length === 1 && addresses[0] === parsed.host;
  let allLoopback = true;
  for (const address of addresses) {
    const { kind, range } = classifyAddress(address);
    if (kind !== 'loopback') allLoopback = false;
    if (kind === 'public' || (kind === 'loopback' && allowLoopback)) continue;
    const what = literal ? `host ${address} is` : `host ${parsed.host} resolves to ${address},`;
    const rule = kind === 'loopback' ? 'allowed only with NOTIFY_ALLOW_LOOPBACK_HTTP=true (tests)' : 'webhooks may only reach public addresses';
    return `${what} ${WHY[kind]} (${range}): ${rule}`;
  }
  if (parsed.url.protocol === 'http:' && !allLoopback) return 'must be https (plain http is accepted only to a loopback address)';
  return undefined;
}
