/** Pure logic of signing in and of what the signed-in role may do: no DOM, tested in access-logic.test.ts. */

/**
 * Roles holding the server's 'alarms:write' permission (src/access/roles.ts, the authority: the server
 * checks every write; this only decides which buttons to draw).
 */
const ALARM_WRITERS = ['admin', 'dispatcher'];

/** @param {string | undefined} role */
export const canActOnAlarms = (role) => ALARM_WRITERS.includes(role ?? '');

/**
 * The POST /api/session body from the login form: a pasted token wins over user name and password.
 * @param {{ username?: string, password?: string, token?: string }} form
 * @returns {{ token: string } | { username: string, password: string } | null} null when nothing usable was entered
 */
export function loginBody(form) {
  const token = (form.token ?? '').trim();
  if (token) return { token };
  const username = (form.username ?? '').trim();
  const password = form.password ?? '';
  return username && password ? { username, password } : null;
}

/**
 * The i18n key of the message for a failed sign-in, from the API error's status and code.
 * @param {{ status?: number, code?: string }} err @param {'token'|'password'} how
 */
export function loginFailureKey(err, how) {
  if (err.code === 'NETWORK' || err.status === 0) return 'loginUnreachable';
  if (err.status === 401 || err.status === 403) return how === 'token' ? 'loginBadToken' : 'loginBadPassword';
  if (err.status === 429) return 'loginTooMany';
  if ((err.status ?? 0) >= 500) return 'loginServerError';
  return 'loginFailed';
}

/**
 * Should the live link ask whether the page is still signed in, rather than just reconnect? Yes when the
 * socket never opened (the upgrade may have answered 401), or when the server closed it because its credential
 * stopped resolving (4401: revoked token, disabled user, ended session; src/live/hub.ts).
 * @param {boolean} opened @param {number} closeCode
 */
export const liveMaySignOut = (opened, closeCode) => !opened || closeCode === 4401;
