/**
 * The text forms of API tokens (`lw_<id>_<secret>`) and dashboard session cookies (`lws_<id>_<secret>`). The id
 * finds the row; only the secret's SHA-256 is stored. The id is plain hex, so it never contains the `_` that
 * separates it from the secret (base64url, which may).
 */
export type CredentialKind = 'token' | 'session';

const PREFIX: Record<CredentialKind, string> = { token: 'lw', session: 'lws' };
const ID = /^[0-9a-f]{16}$/;
// 32 random bytes in base64url without padding (newSecret() in secret-hash.ts).
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const USERNAME = /^[a-z][a-z0-9._-]{1,63}$/;

export interface Credential {
  id: string;
  secret: string;
}

export function formatCredential(kind: CredentialKind, c: Credential): string {
  return `${PREFIX[kind]}_${c.id}_${c.secret}`;
}

/** Undefined for anything that is not exactly a credential of this kind. */
export function parseCredential(kind: CredentialKind, text: string): Credential | undefined {
  const head = `${PREFIX[kind]}_`;
  if (!text.startsWith(head)) return undefined;
  const id = text.slice(head.length, head.length + 16);
  const rest = text.slice(head.length + 16);
  if (!ID.test(id) || rest[0] !== '_' || !SECRET.test(rest.slice(1))) return undefined;
  return { id, secret: rest.slice(1) };
}

/** `Authorization: Bearer <token>`, case-insensitive scheme; undefined when absent or another scheme. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer +(\S+) *$/i);
  return match?.[1];
}

export function isTokenId(text: string): boolean {
  return ID.test(text);
}

/**
 * Lower-case, 2-64 characters. A username never looks like a token id: both are person ids (audit, ownership of
 * subscriptions), and one must never be mistaken for the other.
 */
export function isUsername(text: string): boolean {
  return USERNAME.test(text) && !ID.test(text);
}
