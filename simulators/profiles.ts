/** Load profiles of the synthetic data model (domain.md 5.2 shapes, 5.3 parameters; all [PROP] heuristics). */
export const PROFILES = ['residential', 'commercial', 'industrial1', 'industrial2', 'industrial3'] as const;
export type Profile = (typeof PROFILES)[number];

export interface ProfileParams {
  /** Hour-of-day shape h0..h23, mean 1 (index 0 = 00:00-01:00 local). */
  hourShape: readonly number[];
  /** AR(1) noise sd and coefficient: n_t = phi n_{t-1} + e_t. */
  noiseSd: number;
  noisePhi: number;
  /** Sd of the day-level scale D_day ~ N(1, sd). */
  daySd: number;
  /** Weekend factor W for Saturday and Sunday. */
  saturday: number;
  sunday: number;
  /** Season factor M for Jul-Aug and Dec-Jan. */
  summer: number;
  winter: number;
  pfMean: number;
  pfSd: number;
  /** Amplitude of the slowly varying per-phase share deviation on 3P4W meters. */
  phaseShareSd: number;
  /** rho = mean load / (S_contract x PF); residential uses daily energy instead. */
  rhoMin: number;
  rhoMax: number;
}

// Phase share deviation (domain.md 5.3: ±10 % commercial, ±5 % one shift, ±3 % three shifts) is read as the
// range of the deviation, about two standard deviations: as a standard deviation it made ordinary
// commercial meters cross the 15 % current-unbalance warning (I1) on their own.
const INDUSTRIAL_BASE = { noiseSd: 0.08, noisePhi: 0.8, daySd: 0.08, summer: 1.05, winter: 1.0, phaseShareSd: 0.025 };

export const PROFILE_PARAMS: Record<Profile, ProfileParams> = {
  residential: {
    hourShape: [0.57, 0.47, 0.41, 0.39, 0.39, 0.47, 0.72, 0.98, 0.93, 0.83, 0.83, 0.98, 1.09, 0.98, 0.88, 0.88, 0.98, 1.29, 1.71, 1.96, 2.02, 1.86, 1.45, 0.93],
    noiseSd: 0.3, noisePhi: 0.6, daySd: 0.15, saturday: 1.05, sunday: 1.05, summer: 1.5, winter: 1.2,
    pfMean: 0.95, pfSd: 0.02, phaseShareSd: 0, rhoMin: 0, rhoMax: 0,
  },
  commercial: {
    hourShape: [0.39, 0.37, 0.35, 0.34, 0.34, 0.35, 0.44, 0.74, 1.18, 1.47, 1.57, 1.57, 1.47, 1.52, 1.57, 1.57, 1.52, 1.42, 1.32, 1.27, 1.18, 0.93, 0.64, 0.47],
    noiseSd: 0.08, noisePhi: 0.8, daySd: 0.07, saturday: 0.45, sunday: 0.45, summer: 1.3, winter: 1.1,
    pfMean: 0.92, pfSd: 0.03, phaseShareSd: 0.05, rhoMin: 0.25, rhoMax: 0.45,
  },
  industrial1: {
    hourShape: [0.27, 0.27, 0.27, 0.27, 0.27, 0.29, 0.37, 0.96, 1.98, 2.09, 2.09, 2.04, 1.39, 1.98, 2.09, 2.09, 1.98, 1.29, 0.48, 0.34, 0.32, 0.3, 0.29, 0.28],
    ...INDUSTRIAL_BASE, saturday: 0.7, sunday: 0.3, pfMean: 0.9, pfSd: 0.04, rhoMin: 0.2, rhoMax: 0.4,
  },
  // Between one and three shifts; 5.3 gives no column for it, so its parameters are interpolated.
  industrial2: {
    hourShape: [0.44, 0.31, 0.29, 0.29, 0.29, 0.31, 0.39, 0.82, 1.36, 1.41, 1.41, 1.36, 1.07, 1.36, 1.41, 1.41, 1.36, 1.26, 1.31, 1.36, 1.36, 1.31, 1.26, 0.87],
    ...INDUSTRIAL_BASE, noiseSd: 0.06, noisePhi: 0.85, daySd: 0.06, saturday: 0.8, sunday: 0.6, pfMean: 0.92, pfSd: 0.03, phaseShareSd: 0.02, rhoMin: 0.35, rhoMax: 0.55,
  },
  industrial3: {
    hourShape: [0.98, 0.99, 0.98, 0.97, 0.97, 0.98, 0.99, 0.95, 0.93, 1.03, 1.05, 1.05, 1.01, 1.04, 1.05, 1.04, 0.94, 0.99, 1.03, 1.04, 1.04, 1.03, 1.01, 0.99],
    noiseSd: 0.04, noisePhi: 0.9, daySd: 0.04, saturday: 0.95, sunday: 0.95, summer: 1.0, winter: 1.0,
    pfMean: 0.93, pfSd: 0.02, phaseShareSd: 0.015, rhoMin: 0.45, rhoMax: 0.7,
  },
};

export const SLOTS_PER_DAY = 96;

/** The hour shape linearly interpolated between hour centres to 96 quarter-hour points, renormalised to mean 1. */
export function quarterHourShape(hourShape: readonly number[]): Float64Array {
  const out = new Float64Array(SLOTS_PER_DAY);
  for (let k = 0; k < SLOTS_PER_DAY; k++) {
    const x = k / 4 - 0.5 + 24;
    const i0 = Math.floor(x) % 24;
    const f = x - Math.floor(x);
    out[k] = hourShape[i0] * (1 - f) + hourShape[(i0 + 1) % 24] * f;
  }
  const mean = out.reduce((s, v) => s + v, 0) / SLOTS_PER_DAY;
  for (let k = 0; k < SLOTS_PER_DAY; k++) out[k] /= mean;
  return out;
}
