import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ResolveHost } from './webhook-target.js';

/**
 * Every address of a host, the way the system resolver (and so any HTTP client) would find them: getaddrinfo,
 * /etc/hosts included. An IP literal is its own answer without a lookup.
 */
export const resolveHostDns: ResolveHost = async (host) => {
  if (isIP(host)) return [host];
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};
