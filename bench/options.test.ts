import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('npm run bench options', () => {
  it.each<[string[], Partial<ReturnType<typeof parseOptions>>]>([
    [[], { quick: false, scenarios: ['batched', 'single', 'latency', 'connections', 'query'], seconds: 12, latencyRate: undefined }],
    // 10,000 meters x 105 days x 96 points: the first whole number of days past the 100 million rows.
    [[], { meters: 10_000, queryDays: 105 }],
    [['--query-days', '20'], { queryDays: 20 }],
    [['--quick'], { quick: true, seconds: 3, meters: 2_000, queryDays: 1 }],
    [['--scenario', 'latency', '--latency-rate', '23000', '--seconds', '20'], { scenarios: ['latency'], latencyRate: 23_000, seconds: 20 }],
  ])('%j', (argv, expected) => {
    expect(parseOptions(argv)).toMatchObject(expected);
  });

  it.each([
    [['--latency-rate', '0'], '--latency-rate must be a whole number > 0'],
    [['--latency-rate', 'fast'], '--latency-rate must be a whole number > 0'],
    [['--seconds', '1.5'], '--seconds must be a whole number > 0'],
    [['--scenario', 'bursty'], 'unknown scenario bursty'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
