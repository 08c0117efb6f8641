/** One banner for API and page errors: shows the API's stable code and message until dismissed. */
import { el } from './format.js';
import { t } from './i18n.js';

/** @param {HTMLElement} banner */
export function createErrorBanner(banner) {
  let count = 0;
  /** @param {unknown} err */
  const show = (err) => {
    count++;
    const code = /** @type {any} */ (err)?.code;
    const message = err instanceof Error ? err.message : String(err);
    const dismiss = el('button', { type: 'button', class: 'dismiss' }, t('dismiss'));
    dismiss.addEventListener('click', clear);
    banner.replaceChildren(
      el('strong', {}, `${t('error')}${code ? ` ${code}` : ''}`), el('span', { class: 'error-message' }, message),
      count > 1 ? el('span', { class: 'muted' }, `(×${count})`) : '', dismiss);
    banner.hidden = false;
  };
  const clear = () => { count = 0; banner.hidden = true; banner.replaceChildren(); };
  return { show, clear };
}
