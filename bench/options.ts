import { parseArgs } from 'node:util';

/** Rows the full query scenario loads (issue 4: day curves "with 100 million rows in the table"). */
export const QUERY_ROWS = 100_000_000;

export const SCENARIOS = ['batched', 'single', 'latency', 'connections', 'query'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Options {
  quick: boolean;
  json: boolean;
  scenarios: Scenario[];
  /** Measured seconds of each timed run (warm-up excluded). */
  seconds: number;
  cpuProf: boolean;
  meters: number;
  connections: number;
  queryDays: number;
  /** Background samples/s of the latency scenario; undefined: half the batched rate (10,000 without it). */
  latencyRate: number | undefined;
  seed: number;
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      seconds: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'query-days': { type: 'string' },
      'latency-rate': { type: 'string' },
      connections: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench -- [--quick] [--json] [--scenario batched|single|latency|connections|query ...] [--seconds N] [--connections N] [--query-days N] [--latency-rate N] [--cpu-prof]\n',
    );
    process.exit(0);
  }
  const quick = values.quick ?? false;
  // CI's smoke test: every scenario still runs and reports, on the smallest sizes that mean anything.
  const smoke = quick && process.env.BENCH_SMOKE === '1';
  const scenarios = (values.scenario ?? [...SCENARIOS]) as Scenario[];
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; one of ${SCENARIOS.join(', ')}`);
  const int = (v: string | undefined, fallback: number, name: string) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a whole number > 0`);
    return n;
  };
  const meters = smoke ? 1_000 : quick ? 2_000 : 10_000;
  return {
    quick,
    json: values.json ?? false,
    scenarios,
    seconds: int(values.seconds, smoke ? 2 : quick ? 3 : 12, 'seconds'),
    cpuProf: values['cpu-prof'] ?? false,
    meters,
    connections: int(values.connections, smoke ? 500 : quick ? 2_000 : 20_000, 'connections'),
    // The issue's 100 million rows in full: 105 days of the 10,000 meters' 96 points (about 5.5 minutes of COPY here).
    queryDays: int(values['query-days'], quick ? 1 : Math.ceil(QUERY_ROWS / (meters * 96)), 'query-days'),
    latencyRate: values['latency-rate'] === undefined ? undefined : int(values['latency-rate'], 0, 'latency-rate'),
    seed: 20_240_501,
  };
}
