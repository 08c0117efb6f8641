/**
 * The one cookie loadwatch sets, `lw_session`, read and written here (RFC 6265 syntax) rather than through a
 * plugin: a name lookup and one Set-Cookie line are all it needs.
 */
export const SESSION_COOKIE = 'lw_session';

/** The value of the first cookie with this name; undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return undefined;
}

/** HttpOnly: scripts on the page never read it; SameSite=Strict: other sites' requests never carry it. */
export function sessionCookie(value: string, maxAgeMs: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${Math.floor(maxAgeMs / 1000)}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
