import pino from 'pino';
import { expect, it } from 'vitest';
import { nextCollectionRun } from './next-run.js';
import { startCollectionTimer } from './timer.js';

it('runs the check of yesterday at the next run time, and not again for the same run', async () => {
  const tz = 'Asia/Shanghai';
  const next = nextCollectionRun(Date.now(), tz);
  // A clock 40 ms before that run time.
  const offsetMs = next.atMs - 40 - Date.now();
  const days: string[] = [];
  const timer = startCollectionTimer({ timeZone: tz, log: pino({ level: 'silent' }), now: () => Date.now() + offsetMs, run: async (day) => void days.push(day) });
  await new Promise((r) => setTimeout(r, 300));
  await timer.close();
  expect(days).toEqual([next.day]);
});
