/**
 * Where a browser request comes from, for the WebSocket upgrade and for writes authenticated by the session
 * cookie (cross-site request forgery). Browsers always send Origin on WebSocket upgrades and on POST/PUT/PATCH/
 * DELETE from fetch and forms; Referer is the fallback some privacy settings leave.
 */
export interface OriginHeaders {
  origin?: string;
  referer?: string;
  /** The Host header: the service's own origin is the one the browser addressed. */
  host?: string;
}

export type OriginVerdict = 'same' | 'allowed' | 'absent' | 'refused';

export function originVerdict(h: OriginHeaders, allowedOrigins: readonly string[]): OriginVerdict {
  const claimed = h.origin ?? h.referer;
  if (claimed === undefined || claimed === '') return 'absent';
  let url: URL;
  try {
    url = new URL(claimed);
  } catch {
    return 'refused';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'refused';
  if (h.host !== undefined && hostOf(url.protocol, h.host) === url.host) return 'same';
  return allowedOrigins.includes(url.origin) ? 'allowed' : 'refused';
}

/** The Host header as a URL would hold it under this scheme: lower case, without the scheme's default port. */
function hostOf(protocol: string, host: string): string | undefined {
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}
