/** What kinds of customers a synthetic fleet holds, in what proportion, and how they are supplied. */
import type { CustomerClass } from '../src/domain/customer-class.js';
import type { NameStyle } from './names.js';
import type { Profile } from './profiles.js';

/** hv: 10 kV dedicated transformer(s), 3P3W metering on the HV side; lv: 380 V CT-connected; home: 220 V direct. */
export type Supply = 'hv' | 'lv' | 'home';

export interface CustomerKind {
  classes: CustomerClass[];
  /** Relative number of customers of this kind. */
  weight: number;
  supply: Supply;
  nameStyle: NameStyle;
  meterCount: readonly [number, number];
  profiles: readonly (readonly [Profile, number])[];
  /** Transformer count range; the contract is the sum of their ratings. */
  transformers: readonly [number, number];
  ratingsKva: readonly number[];
  pfStandard: number | null;
}

// Typical transformer ratings for dedicated customers (domain.md 5.3).
const RATINGS_KVA = [315, 400, 500, 630, 800, 1000, 1250, 1600, 2000] as const;
const LARGE = RATINGS_KVA.slice(4);
const FACTORY: CustomerKind['profiles'] = [['industrial1', 2], ['industrial2', 2], ['industrial3', 1]];

export const CUSTOMER_KINDS: readonly CustomerKind[] = [
  { classes: ['KEY'], weight: 4, supply: 'hv', nameStyle: 'key-site', meterCount: [4, 12], profiles: [['industrial3', 1], ['commercial', 1]], transformers: [2, 4], ratingsKva: LARGE, pfStandard: 0.9 },
  { classes: ['KEY', 'TOP100'], weight: 1, supply: 'hv', nameStyle: 'company', meterCount: [5, 12], profiles: [['industrial3', 1]], transformers: [2, 4], ratingsKva: LARGE, pfStandard: 0.9 },
  { classes: ['TOP100'], weight: 3, supply: 'hv', nameStyle: 'company', meterCount: [4, 10], profiles: [['industrial2', 1], ['industrial3', 1]], transformers: [2, 4], ratingsKva: LARGE, pfStandard: 0.9 },
  { classes: ['TOP100', 'DH_KEY'], weight: 1, supply: 'hv', nameStyle: 'company', meterCount: [4, 10], profiles: FACTORY, transformers: [2, 3], ratingsKva: LARGE, pfStandard: 0.9 },
  { classes: ['DH_KEY'], weight: 3, supply: 'hv', nameStyle: 'company', meterCount: [3, 8], profiles: FACTORY, transformers: [1, 3], ratingsKva: RATINGS_KVA.slice(2), pfStandard: 0.9 },
  { classes: ['DH_GROWTH'], weight: 4, supply: 'hv', nameStyle: 'company', meterCount: [2, 6], profiles: FACTORY, transformers: [1, 2], ratingsKva: RATINGS_KVA.slice(1, 7), pfStandard: 0.9 },
  { classes: ['DEDICATED'], weight: 14, supply: 'hv', nameStyle: 'company', meterCount: [2, 5], profiles: [...FACTORY, ['commercial', 2]], transformers: [1, 1], ratingsKva: RATINGS_KVA, pfStandard: 0.9 },
  { classes: ['LV_NONRES'], weight: 20, supply: 'lv', nameStyle: 'shop', meterCount: [1, 5], profiles: [['commercial', 1]], transformers: [1, 1], ratingsKva: [30, 50, 80, 100, 160, 200], pfStandard: 0.85 },
  { classes: ['RESIDENTIAL'], weight: 30, supply: 'home', nameStyle: 'person', meterCount: [1, 1], profiles: [['residential', 1]], transformers: [1, 1], ratingsKva: [4, 6, 8, 10], pfStandard: null },
];
