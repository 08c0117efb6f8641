/** Page composition: header controls, search, alarm list, customer view, live link, hash routing. */
import { getCustomer, getSession, whenUnauthenticated } from './api.js';
import { canActOnAlarms } from './access-logic.js';
import { createAlarmList } from './alarms.js';
import { createAuth } from './auth.js';
import { DEFAULT_RANGE } from './config.js';
import { createCustomerView } from './customer-view.js';
import { createErrorBanner } from './errors.js';
import { applyStatic, getLocale, onLocaleChange, setLocale, t } from './i18n.js';
import { connectLive } from './live.js';
import { createMap } from './map.js';
import { createMeterGrid } from './meter-grid.js';
import { createOverview } from './overview.js';
import { createSearch } from './search.js';

const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (document.querySelector(sel));

const errors = createErrorBanner($('#error'));
const status = $('#live-status');
/** @type {'today'|'last24h'|'last48h'} */
let range = DEFAULT_RANGE;
/** @type {ReturnType<typeof createCustomerView> | null} */
let view = null;
/** @type {any} */
let shownCustomer = null;
/** @type {import('./live.js').LiveStatus} */
let liveStatus = { state: 'connecting' };
/** @type {'overview'|'map'|'customer'|'grid'} */
let shownView = 'overview';
/** @type {ReturnType<typeof createMeterGrid> | null} */
let grid = null;

const localeSelect = /** @type {HTMLSelectElement} */ ($('#locale'));
localeSelect.value = getLocale();
localeSelect.addEventListener('change', () => setLocale(localeSelect.value === 'zh' ? 'zh' : 'en'));

let booted = false;
const auth = createAuth({
  // The first sign-in lets the page boot below; after a later one the live link's reconnect refills every view.
  onSignedIn: () => { if (booted) live.resume(); },
  // The old session's errors (a 403, a lost link) do not concern whoever signs in next.
  onSignedOut: () => { errors.clear(); if (booted) live.pause(); },
});
whenUnauthenticated(() => auth.lost());
applyStatic();
document.documentElement.lang = getLocale() === 'zh' ? 'zh-CN' : 'en';
void auth.check();
await auth.signedIn;

const renderStatus = () => {
  status.className = `live-status ${liveStatus.state}`;
  status.textContent = liveStatus.state === 'live' ? t('live')
    : liveStatus.state === 'reconnecting' ? t('reconnecting', { s: Math.round(liveStatus.inMs / 1000) }) : t('connecting');
};

const alarms = createAlarmList({
  table: /** @type {HTMLTableSectionElement} */ ($('#alarm-rows')),
  count: $('#alarm-count'),
  dialog: /** @type {HTMLDialogElement} */ ($('#ack-dialog')),
  canAct: () => canActOnAlarms(auth.person()?.role),
  filters: $('#alarm-filters'),
  // Refused (403): say so, and redraw the board for the role the server holds now.
  onError: (err) => { errors.show(err); if (/** @type {any} */ (err)?.code === 'FORBIDDEN') void auth.refresh().then(() => alarms.render()); },
  onOpenCustomer: (id, meterId) => openCustomer(id, meterId),
  onChange: () => alarmsChanged(),
});

let overview = createOverview($('#overview'), { onError: errors.show });
const map = createMap($('#map'), { onError: errors.show, onOpenCustomer: (id) => openCustomer(id) });

/** Counts and map colours follow every alarm change, ours or pushed. */
function alarmsChanged() {
  overview.onAlarm();
  if (shownView === 'map') void map.refresh();
}

/** Show one view; the overview and map reload when shown. @param {'overview'|'map'|'customer'|'grid'} name */
function showView(name) {
  shownView = name;
  for (const section of document.querySelectorAll('section.view')) /** @type {HTMLElement} */ (section).hidden = section.getAttribute('data-view') !== name;
  for (const tab of document.querySelectorAll('.tabs button')) tab.classList.toggle('active', tab.getAttribute('data-view') === name);
  if (name === 'overview') void overview.refresh();
  if (name === 'map') void map.refresh();
  if (name === 'grid') history.replaceState(null, '', `#/meters/${(grid?.meterIds ?? []).map(encodeURIComponent).join(',')}`);
  else if (name !== 'customer') history.replaceState(null, '', `#/${name}`);
  else if (view) history.replaceState(null, '', `#/customer/${encodeURIComponent(view.customerId)}/${encodeURIComponent(view.meterId() ?? '')}`);
}
for (const tab of document.querySelectorAll('.tabs button')) {
  tab.addEventListener('click', () => showView(/** @type {any} */ (tab.getAttribute('data-view'))));
}

const live = connectLive({
  // The upgrade's 401 is invisible to the page (the socket just closes): ask the API whether the session still holds.
  isSignedIn: () => getSession().then(() => true, (err) => err?.status !== 401),
  onSignedOut: () => auth.lost(),
  onStatus: (s) => { liveStatus = s; renderStatus(); },
  onSamples: (msgs) => { view?.onSamples(msgs); grid?.onSamples(msgs); },
  onAlarm: (msg) => { alarms.onAlarm(msg); view?.onAlarm(msg); alarmsChanged(); },
  onReconnect: () => { errors.clearIf('NETWORK'); void alarms.reload(); void view?.refill(); void grid?.refill(); void overview.refresh(); },
});
live.subscribe({ alarms: true });

/** @param {string} id @param {string} [meterId] */
async function openCustomer(id, meterId) {
  try {
    const customer = await getCustomer(id);
    showCustomer(customer, meterId);
  } catch (err) {
    errors.show(err);
  }
}

/** @param {any} customer @param {string} [meterId] */
function showCustomer(customer, meterId) {
  view?.destroy();
  shownCustomer = customer;
  view = createCustomerView($('#customer'), {
    customer, meterId, range, live, onError: errors.show,
    onRangeChange: (r) => { range = r; },
    onMeterChange: (m) => { history.replaceState(null, '', `#/customer/${encodeURIComponent(customer.id)}/${encodeURIComponent(m)}`); },
  });
  showView('customer');
}

/** The grid of load charts for several meters at once. @param {string[]} meterIds */
function showGrid(meterIds) {
  if (grid) live.unsubscribe({ meters: grid.meterIds });
  grid?.destroy();
  grid = createMeterGrid($('#grid'), { meterIds, onError: errors.show });
  live.subscribe({ meters: grid.meterIds });
  showView('grid');
  void grid.refill();
}

createSearch({
  input: /** @type {HTMLInputElement} */ ($('#search')),
  classSelect: /** @type {HTMLSelectElement} */ ($('#class-filter')),
  results: $('#results'),
  onOpen: (id, query) => openCustomer(id, query),
  onError: errors.show,
});

onLocaleChange(() => {
  renderStatus();
  alarms.render();
  overview.destroy();
  overview = createOverview($('#overview'), { onError: errors.show });
  void overview.refresh();
  map.render();
  const was = shownView;
  if (shownCustomer) showCustomer(shownCustomer, view?.meterId());
  if (grid) showGrid(grid.meterIds);
  showView(was);
});

window.addEventListener('error', (e) => errors.show(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => errors.show(e.reason));

renderStatus();
void alarms.reload();
const route = location.hash.match(/^#\/customer\/([^/]+)(?:\/([^/]+))?/);
const gridRoute = location.hash.match(/^#\/meters\/(.+)/);
if (gridRoute) {
  showGrid(gridRoute[1].split(',').filter(Boolean).map(decodeURIComponent));
} else if (route) {
  showView('customer');
  void openCustomer(decodeURIComponent(route[1]), route[2] ? decodeURIComponent(route[2]) : undefined);
} else {
  showView(location.hash === '#/map' ? 'map' : 'overview');
}

/** Test and console hook: the uPlot instances of the open meter (load, voltage, current) and the live state. */
/** @type {any} */ (window).__loadwatch = {
  get charts() { return view?.plots() ?? {}; },
  get customerId() { return view?.customerId ?? null; },
  get meterId() { return view?.meterId() ?? null; },
  get live() { return liveStatus.state; },
  get view() { return shownView; },
  get overviewCharts() { return overview.plots(); },
  /** uPlot instances of the grid view by meter id. */
  get gridCharts() { return grid?.plots() ?? {}; },
  dropLive: () => live.drop(),
};
booted = true;
