/**
 * One banner for API and page errors: shows the API's stable code and message until dismissed. A 401 is not
 * shown here (the login view takes over); a 403 says in words that the signed-in role may not do it.
 */
import { el } from './format.js';
import { t } from './i18n.js';

/** @param {HTMLElement} banner */
export function createErrorBanner(banner) {
  let count = 0;
  /** @type {string | undefined} */
  let shownCode;
  /** @param {unknown} err */
  const show = (err) => {
    const code = /** @type {any} */ (err)?.code;
    if (code === 'UNAUTHENTICATED' || /** @type {any} */ (err)?.status === 401) return;
    count++;
    shownCode = code;
    const detail = err instanceof Error ? err.message : String(err);
    const message = code === 'FORBIDDEN' ? `${t('forbidden')} ${detail}` : detail;
    const dismiss = el('button', { type: 'button', class: 'dismiss' }, t('dismiss'));
    dismiss.addEventListener('click', clear);
    banner.replaceChildren(
      el('strong', {}, `${t('error')}${code ? ` ${code}` : ''}`), el('span', { class: 'error-message' }, message),
      count > 1 ? el('span', { class: 'muted' }, `(×${count})`) : '', dismiss);
    banner.hidden = false;
  };
  const clear = () => { count = 0; shownCode = undefined; banner.hidden = true; banner.replaceChildren(); };
  /** Clear only when the error shown has this code: a NETWORK error is stale once the service answers again. @param {string} code */
  const clearIf = (code) => { if (shownCode === code) clear(); };
  return { show, clear, clearIf };
}
