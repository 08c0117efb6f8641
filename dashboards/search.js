/** Customer / meter search box with a results list; Enter opens the first hit. */
import { searchCustomers } from './api.js';
import { el, formatNumber } from './format.js';
import { t } from './i18n.js';

const DEBOUNCE_MS = 250;

/**
 * @param {{ input: HTMLInputElement, classSelect: HTMLSelectElement, results: HTMLElement,
 *   onOpen: (customerId: string, query: string) => void, onError: (err: unknown) => void }} opts
 */
export function createSearch(opts) {
  const { input, classSelect, results } = opts;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let seq = 0;
  /** @type {any[]} */
  let items = [];

  const close = () => { results.hidden = true; };

  const run = async () => {
    const q = input.value.trim();
    if (!q && !classSelect.value) { close(); return; }
    const mine = ++seq;
    try {
      const page = await searchCustomers({ q, class: classSelect.value, page: 1, pageSize: 20 });
      if (mine !== seq) return;
      items = page.items;
      render(page.total);
    } catch (err) {
      if (mine === seq) opts.onError(err);
    }
  };

  /** @param {number} total */
  const render = (total) => {
    results.replaceChildren(
      ...(items.length
        ? items.map((c) => {
          const li = el('li', { 'data-customer': c.id, tabindex: '0' },
            el('div', { class: 'hit-main' }, el('strong', {}, c.name), el('span', { class: 'mono muted' }, c.id),
              ...(c.classes ?? []).map((/** @type {string} */ k) => el('span', { class: `chip class-${k}` }, t(`class.${k}`, undefined, k)))),
            el('div', { class: 'hit-sub muted' }, c.address ?? '',
              ` · ${formatNumber(c.contractKva, 'kVA', 0)} · ${c.meterCount ?? 0} ${t('meters')}`));
          li.addEventListener('click', () => open(c.id));
          li.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(c.id); });
          return li;
        })
        : [el('li', { class: 'muted empty' }, t('noResults'))]),
      ...(total > items.length ? [el('li', { class: 'muted more' }, t('results', { n: items.length, total }))] : []),
    );
    results.hidden = false;
  };

  /** @param {string} id */
  const open = (id) => {
    close();
    opts.onOpen(id, input.value.trim());
  };

  const schedule = () => { clearTimeout(timer); timer = setTimeout(run, DEBOUNCE_MS); };
  input.addEventListener('input', schedule);
  classSelect.addEventListener('change', schedule);
  input.addEventListener('focus', () => { if (items.length && input.value.trim()) results.hidden = false; });
  input.addEventListener('keydown', async (e) => {
    if (e.key === 'Escape') close();
    if (e.key !== 'Enter') return;
    clearTimeout(timer);
    await run();
    if (items.length === 1) open(items[0].id);
  });
  document.addEventListener('click', (e) => {
    if (!(e.target instanceof Node) || (!results.contains(e.target) && e.target !== input)) close();
  });
}
