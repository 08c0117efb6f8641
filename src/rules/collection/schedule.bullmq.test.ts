import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { uniqueName } from '../../../test/support/db.js';
import type { AlarmChange } from '../../alarms/store.js';
import { openRuleRedis } from '../queue-redis.redis.js';
import { COLLECTION_QUEUE, startCollectionSchedule, type CollectionScheduleHandle } from './schedule.bullmq.js';

const log = pino({ level: 'silent' });
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = uniqueName('lw_collection');
const connections: Redis[] = [];
const handles: CollectionScheduleHandle[] = [];

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
  const keys = await connections[0].keys(`${prefix}:*`);
  if (keys.length > 0) await connections[0].del(...keys);
  await Promise.all(connections.splice(0).map((c) => c.quit()));
});

it('runs each scheduled check once for the cluster and passes its changes to every process', async () => {
  const runs: string[] = [];
  const seen: [string, string][] = [];
  for (const name of ['a', 'b']) {
    const connection = await openRuleRedis(REDIS_URL, log);
    connections.push(connection);
    handles.push(await startCollectionSchedule({
      connection, prefix, timeZone: 'Asia/Shanghai', log,
      // Every second instead of the cut-off hours, so the test sees several runs.
      pattern: '* * * * * *',
      run: async (day) => {
        runs.push(day);
        return [{ change: 'created', alarm: { id: `${runs.length}` } }] as unknown as AlarmChange[];
      },
      onChanges: (changes) => void seen.push(...changes.map((c): [string, string] => [name, c.alarm.id])),
    }));
  }
  const queue = new Queue(COLLECTION_QUEUE, { connection: connections[0], prefix });
  expect((await queue.getJobSchedulers()).map((s) => [s.key, s.pattern, s.tz])).toEqual([['collection-check', '* * * * * *', 'Asia/Shanghai']]);
  await queue.close();
  const startedMs = Date.now();
  await new Promise((r) => setTimeout(r, 3_200));
  const elapsedS = (Date.now() - startedMs) / 1000;
  await Promise.all(handles.splice(0).map((h) => h.close()));
  // Two workers, yet one run per tick: never more runs than seconds passed (plus the tick at the start).
  expect(runs.length).toBeGreaterThanOrEqual(2);
  expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
  // Yesterday, local: the job's scheduled time is today in Shanghai.
  const todayShanghai = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  expect(new Date(Date.parse(runs[0]) + 86_400_000).toISOString().slice(0, 10)).toBe(todayShanghai);
  // Both processes heard every change (the events of the last run may still be in flight).
  for (const name of ['a', 'b']) expect(seen.filter(([n]) => n === name).length).toBeGreaterThanOrEqual(runs.length - 1);
}, 15_000);
