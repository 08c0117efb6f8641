import type { LoadValues } from '../domain/sample.js';

/**
 * Load rate β in % of contract capacity (domain.md 2.4): S = sqrt(P² + Q²) when Q is known, else P / PF,
 * else P alone (PF treated as 1, which under-estimates S). Null when P is missing or no contract capacity.
 * Magnitudes, because reverse flow loads the transformer just the same.
 */
export function loadRatePct(load: LoadValues, contractKva: number | null): number | null {
  if (contractKva === null || !(contractKva > 0) || load.p === null || !Number.isFinite(load.p)) return null;
  const p = Math.abs(load.p);
  let sKva = p;
  if (load.q !== null && Number.isFinite(load.q)) sKva = Math.hypot(p, load.q);
  else if (load.pf !== null && Math.abs(load.pf) > 0) sKva = p / Math.min(1, Math.abs(load.pf));
  return (sKva / contractKva) * 100;
}
