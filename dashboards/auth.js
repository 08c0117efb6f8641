/**
 * Signing in and out: the login view (user name + password, or a pasted API token), the signed-in
 * name and role in the header, and the page state on <body>: auth-pending, signed-out or signed-in
 * (style.css hides the dispatcher views unless signed in). The session itself is an HttpOnly cookie
 * set by POST /api/session; the page never sees it.
 */
import { getSession, signIn, signOut } from './api.js';
import { canActOnAlarms, loginBody, loginFailureKey } from './access-logic.js';
import { onLocaleChange, t } from './i18n.js';

/** @typedef {{ id: string, name: string, role: string, via: string }} Person */

/**
 * @param {{ onSignedIn: (person: Person) => void, onSignedOut: () => void }} opts
 *   onSignedOut: the session ended (sign-out, or a 401 from the API or the live link); the login view is up
 */
export function createAuth(opts) {
  const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (document.querySelector(sel));
  const view = $('#login');
  const failure = $('#login-error');
  const reason = $('#login-reason');
  /** @type {Person | null} */
  let person = null;
  /** @type {(who: Person) => void} */
  let firstSignIn = () => {};
  /** @type {Promise<Person>} */
  const signedIn = new Promise((resolve) => { firstSignIn = resolve; });
  /** @type {{ reason: string, failure: string, detail: string }} i18n keys of what the login view says, so a locale change re-translates them */
  const said = { reason: '', failure: '', detail: '' };

  const renderTexts = () => {
    reason.textContent = said.reason ? t(said.reason) : '';
    reason.hidden = !said.reason;
    failure.textContent = said.failure ? `${t(said.failure)}${said.detail ? ` (${said.detail})` : ''}` : '';
    failure.hidden = !said.failure;
    $('#who-name').textContent = person?.name ?? '';
    $('#who-role').textContent = person ? t(`role.${person.role}`, undefined, person.role) : '';
    $('#who-role').title = person && !canActOnAlarms(person.role) ? t('readOnly') : '';
  };
  onLocaleChange(renderTexts);

  /** @param {'auth-pending'|'signed-out'|'signed-in'} state */
  const setState = (state) => {
    document.body.classList.remove('auth-pending', 'signed-out', 'signed-in');
    document.body.classList.add(state);
    document.body.classList.toggle('read-only', !!person && !canActOnAlarms(person.role));
    view.hidden = state !== 'signed-out';
    renderTexts();
  };

  /** @param {string} reasonKey why the login view is up ('' on the first visit) */
  const showLogin = (reasonKey) => {
    person = null;
    said.reason = reasonKey;
    setState('signed-out');
    /** @type {HTMLInputElement} */ ($('#login-password input[name="username"]')).focus();
  };

  /** @param {Person} who */
  const enter = (who) => {
    person = who;
    Object.assign(said, { reason: '', failure: '', detail: '' });
    for (const input of view.querySelectorAll('input[type="password"]')) /** @type {HTMLInputElement} */ (input).value = '';
    setState('signed-in');
    firstSignIn(who);
    opts.onSignedIn(who);
  };

  /** @param {string} key @param {unknown} [err] */
  const fail = (key, err) => {
    const code = /** @type {any} */ (err)?.code;
    // The code helps a report of an odd failure; for wrong credentials or no network the words say it all.
    Object.assign(said, { failure: key, detail: code && !['UNAUTHENTICATED', 'NETWORK'].includes(code) ? code : '' });
    renderTexts();
  };

  /** @param {HTMLFormElement} form @param {'token'|'password'} how */
  const submit = async (form, how) => {
    const fields = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));
    const body = loginBody(how === 'token' ? { token: fields.token } : { username: fields.username, password: fields.password });
    if (!body) { fail(how === 'token' ? 'loginNeedToken' : 'loginNeedPassword'); return; }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button'));
    button.disabled = true;
    const accepted = await signIn(body).then(() => true, (/** @type {any} */ err) => { fail(loginFailureKey(err, how), err); return false; });
    // Accepted, yet not signed in on the next call: the browser dropped the cookie (blocked, or Secure over http).
    const who = accepted && await getSession().catch((/** @type {any} */ err) => { fail(err?.status === 401 ? 'loginNoCookie' : loginFailureKey(err, how), err); return null; });
    button.disabled = false;
    if (who) enter(who);
  };
  for (const [id, how] of /** @type {const} */ ([['#login-password', 'password'], ['#login-token', 'token']])) {
    const form = /** @type {HTMLFormElement} */ ($(id));
    form.addEventListener('submit', (e) => { e.preventDefault(); void submit(form, how); });
  }

  $('#sign-out').addEventListener('click', async () => {
    try {
      await signOut();
    } catch {
      // Signed out on this page either way: the cookie may already be gone (401) or the server away.
    }
    opts.onSignedOut();
    showLogin('loginSignedOut');
  });

  return {
    /** Who is signed in, or null. */
    person: () => person,
    /** Resolves at the first sign-in (at once when the session cookie still holds). */
    signedIn,
    /** On page load: the session cookie may still be good; else the login view. */
    async check() {
      setState('auth-pending');
      try {
        enter(await getSession());
      } catch (err) {
        // Not signed in is the usual answer; anything else (server away) is said on the login view.
        if (/** @type {any} */ (err)?.status !== 401) fail(loginFailureKey(/** @type {any} */ (err), 'password'), err);
        showLogin('');
      }
    },
    /** After a 403: the role may have changed since sign-in (an admin demoted this user); read it again. */
    async refresh() {
      try {
        person = await getSession();
        setState('signed-in');
      } catch {
        // A 401 here has already brought up the login view; a network error leaves the page as it was.
      }
    },
    /** A 401 from an API call or the live link: the session is gone (expired, revoked, signed out in another tab). */
    lost() {
      if (!person) return;
      opts.onSignedOut();
      showLogin('loginExpired');
    },
  };
}
