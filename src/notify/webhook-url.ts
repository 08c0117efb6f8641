const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A webhook URL must be https, so alarm data and signatures never cross a network in clear text; plain
 * http is accepted only to a loopback address and only when the setting allows it (tests, a local relay).
 * Undefined when the URL is acceptable, otherwise why not.
 */
export function webhookUrlProblem(text: string, allowLoopbackHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials; the secret signs every request';
  if (url.hash) return 'must not have a #fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return 'must be https';
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (!loopback) return 'must be https (plain http is accepted only to a loopback address)';
  if (!allowLoopbackHttp) return 'must be https (plain http to loopback needs NOTIFY_ALLOW_LOOPBACK_HTTP=true)';
  return undefined;
}
