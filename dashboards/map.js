/**
 * Map of large customers: an SVG scatter of their archive lat/lon (no tiles: the control room may be
 * offline), each dot coloured by the customer's worst open alarm; a click opens the customer.
 */
import { getMapPoints } from './api.js';
import { t } from './i18n.js';
import { projectPoints } from './view-logic.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 900;
const HEIGHT = 600;
const PAD = 30;
/** Labels right of this x go to the left of their dot, so they are not cut at the edge. */
const LABEL_FLIP_X = WIDTH * 0.7;

/** @param {string} tag @param {Record<string, string|number>} attrs */
const svg = (tag, attrs) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
};

/** @param {HTMLElement} root @param {{ onError: (err: unknown) => void, onOpenCustomer: (id: string) => void }} opts */
export function createMap(root, opts) {
  const canvas = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'map-svg', role: 'img' });
  const legend = document.createElement('div');
  legend.className = 'map-legend';
  root.replaceChildren(canvas, legend);
  /** @type {any[]} */
  let points = [];

  const render = () => {
    const placed = projectPoints(points, WIDTH, HEIGHT, PAD);
    const grid = [0.25, 0.5, 0.75].flatMap((f) => [
      svg('line', { x1: WIDTH * f, y1: 0, x2: WIDTH * f, y2: HEIGHT, class: 'map-grid' }),
      svg('line', { x1: 0, y1: HEIGHT * f, x2: WIDTH, y2: HEIGHT * f, class: 'map-grid' }),
    ]);
    // Worst last, so a critical dot is never hidden under a quiet neighbour.
    const order = ['', 'INDETERMINATE', 'WARNING', 'MINOR', 'MAJOR', 'CRITICAL'];
    placed.sort((a, b) => order.indexOf(a.worstSeverity ?? '') - order.indexOf(b.worstSeverity ?? ''));
    const dots = placed.map((p) => {
      const g = svg('g', { class: `map-point sev-${p.worstSeverity ?? 'NONE'}`, 'data-customer': p.id, tabindex: 0 });
      const title = svg('title', {});
      title.textContent = `${p.name} (${p.id})${p.worstSeverity ? ` · ${t(`sev.${p.worstSeverity}`)}` : ''}`;
      g.append(svg('circle', { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: p.worstSeverity ? 8 : 6 }), title);
      const flip = p.x > LABEL_FLIP_X;
      const label = svg('text', { x: (p.x + (flip ? -11 : 11)).toFixed(1), y: (p.y + 4).toFixed(1), 'text-anchor': flip ? 'end' : 'start' });
      label.textContent = p.name;
      g.append(label);
      g.addEventListener('click', () => opts.onOpenCustomer(p.id));
      g.addEventListener('keydown', (e) => { if (/** @type {KeyboardEvent} */ (e).key === 'Enter') opts.onOpenCustomer(p.id); });
      return g;
    });
    canvas.replaceChildren(...grid, ...dots);
    legend.replaceChildren(...['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'NONE'].map((s) => {
      const item = document.createElement('span');
      item.className = `map-key sev-${s}`;
      item.textContent = s === 'NONE' ? t('mapNoAlarm') : t(`sev.${s}`);
      return item;
    }), Object.assign(document.createElement('span'), { className: 'muted', textContent: t('mapCount', { n: points.length }) }));
  };

  const refresh = async () => {
    try {
      points = (await getMapPoints()).items;
      render();
    } catch (err) {
      opts.onError(err);
    }
  };

  return { refresh, render };
}
