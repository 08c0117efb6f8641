/** A synthetic fleet: customers of every class, their meters with realistic wiring, and the concentrators in front. */
import type { Customer, Meter } from '../src/domain/archive.js';
import { classRank } from '../src/domain/customer-class.js';
import { CUSTOMER_KINDS, type CustomerKind } from './customer-kinds.js';
import { ACCOUNT_MANAGERS, address, customerName, phone } from './names.js';
import { PROFILE_PARAMS, type Profile } from './profiles.js';
import { Rng } from './rng.js';
import { meterWiring } from './wiring.js';

export interface FleetOptions {
  meters: number;
  concentrators: number;
  seed: number | string;
  /** How many meters publish on their own (`meters/{id}/...`) instead of through a concentrator. */
  directMeters?: number;
}

export interface SimCustomer extends Customer {
  profile: Profile;
  /** Daily mean primary active power of the whole customer, kW (domain.md 5.1 P_base). */
  meanLoadKw: number;
  /** Weekday factor override: offices idle at weekends, retail busier (5.3 "Office 0.45 / retail 1.15"). */
  weekendFactor: number | null;
}

export interface SimMeter extends Meter {
  index: number;
  customerIndex: number;
  /** Fraction of the customer's load this meter measures; a customer's shares sum to 1. */
  loadShare: number;
  /** The customer's main (incoming supply) meter: the one that carries overload anomalies. */
  isMain: boolean;
}

export interface SimConcentrator {
  id: string;
  lat: number;
  lon: number;
  /** Feeder voltage offset v0 shared by the meters behind it (domain.md 5.4). */
  voltageOffset: number;
}

export interface Fleet {
  seed: string;
  customers: SimCustomer[];
  meters: SimMeter[];
  concentrators: SimConcentrator[];
}

// Hangzhou city centre.
const CITY_LAT = 30.27;
const CITY_LON = 120.16;

export function createFleet(options: FleetOptions): Fleet {
  const seed = String(options.seed);
  const rng = new Rng('fleet', seed);
  const concentrators = makeConcentrators(rng, Math.max(1, options.concentrators));
  const customers: SimCustomer[] = [];
  const meters: SimMeter[] = [];
  const customerIdBase = rng.int(10_000_000, 89_999_999);
  const meterIdBase = rng.int(10_000_000, 89_999_999);
  // The first customers take one kind each so that even a small fleet holds every class.
  const forced = [...CUSTOMER_KINDS].sort((a, b) => a.meterCount[0] - b.meterCount[0]);
  while (meters.length < options.meters) {
    const kind = customers.length < forced.length ? forced[customers.length] : rng.weighted(CUSTOMER_KINDS.map((k) => [k, k.weight] as const));
    const stillForced = Math.max(0, forced.length - customers.length - 1);
    const room = Math.max(1, options.meters - meters.length - stillForced);
    const count = Math.min(rng.int(kind.meterCount[0], kind.meterCount[1]), room);
    const concentrator = concentrators[Math.min(concentrators.length - 1, Math.floor((meters.length * concentrators.length) / options.meters))];
    const customer = makeCustomer(rng, kind, `33${customerIdBase + customers.length}`, concentrator);
    const shares = loadShares(rng, count, kind.supply === 'hv', customer.contractKva ?? 0);
    shares.forEach((share, i) => {
      const index = meters.length;
      const wiring = meterWiring(rng, kind.supply, i, count, (customer.contractKva ?? 0) * share);
      meters.push({ ...wiring, id: `31${meterIdBase + index}`, index, customerIndex: customers.length, customerId: customer.id, concentratorId: concentrator.id, loadShare: share, isMain: i === 0 });
    });
    customers.push(customer);
  }
  makeDirect(meters, options.directMeters ?? 0);
  return { seed, customers, meters, concentrators };
}

function makeConcentrators(rng: Rng, count: number): SimConcentrator[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `C${String(i + 1).padStart(4, '0')}`,
    lat: round(CITY_LAT + rng.range(-0.12, 0.12), 6),
    lon: round(CITY_LON + rng.range(-0.15, 0.15), 6),
    voltageOffset: rng.range(0, 0.04),
  }));
}

function makeCustomer(rng: Rng, kind: CustomerKind, id: string, near: SimConcentrator): SimCustomer {
  const profile = rng.weighted(kind.profiles);
  const params = PROFILE_PARAMS[profile];
  const transformers = rng.int(kind.transformers[0], kind.transformers[1]);
  let contractKva = 0;
  for (let i = 0; i < transformers; i++) contractKva += rng.pick(kind.ratingsKva);
  const pf = params.pfMean;
  // Households are sized by daily energy (3-20 kWh/day), the others by load rate rho (domain.md 5.3).
  const meanLoadKw = kind.supply === 'home' ? rng.range(3, 20) / 24 : rng.range(params.rhoMin, params.rhoMax) * contractKva * pf;
  return {
    id,
    name: customerName(rng, kind.nameStyle),
    classes: [...kind.classes].sort((a, b) => classRank(a) - classRank(b)),
    address: address(rng, kind.supply === 'home'),
    phone: phone(rng, kind.supply === 'home'),
    accountManager: rng.pick(ACCOUNT_MANAGERS),
    contractKva,
    pfStandard: kind.pfStandard,
    lat: round(near.lat + rng.range(-0.01, 0.01), 6),
    lon: round(near.lon + rng.range(-0.01, 0.01), 6),
    profile,
    meanLoadKw,
    weekendFactor: profile === 'commercial' ? rng.pick([0.45, 1.15]) : null,
  };
}

/**
 * The main meter takes the largest share; an HV customer with three or more meters keeps a small LV
 * auxiliary meter last (offices, lighting), sized to stay within an LV CT's range.
 */
function loadShares(rng: Rng, count: number, hv: boolean, contractKva: number): number[] {
  if (count === 1) return [1];
  const shares = new Array<number>(count);
  let rest = 1;
  if (hv && count >= 3) {
    shares[count - 1] = Math.min(0.08, 120 / Math.max(contractKva, 1));
    rest -= shares[count - 1];
  }
  const split = hv && count >= 3 ? count - 1 : count;
  shares[0] = rest * rng.range(0.4, 0.6);
  for (let i = 1; i < split; i++) shares[i] = (rest - shares[0]) / (split - 1);
  return shares;
}

/** Big customers are the ones with their own modem: prefer their main HV meters. */
function makeDirect(meters: SimMeter[], count: number): void {
  const preferred = meters.filter((m) => m.isMain && m.wiring === '3P3W');
  const others = meters.filter((m) => !preferred.includes(m)).reverse();
  for (const m of [...preferred, ...others].slice(0, count)) m.concentratorId = null;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
