import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_COLUMNS } from './archive/columns.js';
import { uniqueName } from '../test/support/db.js';
import { getJson, startTestService, waitFor, type TestService } from '../test/support/service.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const ARCHIVE = [
  ARCHIVE_COLUMNS.join(','),
  'C001,East Motor Works,KEY,"1 Zhangjiang Rd",021-5555,Li Ming,100,0.9,31.2,121.5,M001,T01,3P4W,380,1,1,1,primary',
].join('\n');
const Q = 15 * 60_000;

// The production layout on one machine: the service only enqueues, a separate `npm run worker` evaluates.
describe('service + npm run worker on Redis and PostgreSQL', () => {
  const prefix = uniqueName('lwtest');
  let t: TestService;
  let worker: ChildProcess;
  let workerHttp: string;
  let ws: WebSocket;
  const pushed: { type: string; change?: string; alarm?: { rule: string } }[] = [];

  beforeAll(async () => {
    t = await startTestService('postgres', { REDIS_URL, REDIS_PREFIX: prefix });
    worker = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { PATH: process.env.PATH ?? '', ...t.env, LOG_LEVEL: 'info', WORKER_HTTP_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    worker.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('rule worker is running'), 'the worker to start', 20_000);
    const running = out.split('\n').map((l) => (l.startsWith('{') ? (JSON.parse(l) as { msg?: string; httpPort?: number }) : {})).find((l) => l.msg === 'rule worker is running');
    workerHttp = `http://127.0.0.1:${running?.httpPort}`;
    const res = await t.api('/api/archive/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: ARCHIVE });
    expect(res.status).toBe(200);
    ws = new WebSocket(`ws://127.0.0.1:${t.svc.httpPort}/ws`, { headers: { authorization: `Bearer ${t.token}` } });
    ws.on('message', (data) => pushed.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ op: 'subscribe', customers: ['C001'], alarms: true }));
    await waitFor(() => pushed.some((m) => m.type === 'subscribed'), 'the subscription');
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    worker?.kill('SIGTERM');
    if (worker && worker.exitCode === null) await new Promise((r) => worker.once('exit', r));
    await t?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('an over-voltage published over MQTT is raised and counted by the worker, and pushed to the dashboard by the service', async () => {
    const device = await mqtt.connectAsync(t.mqttUrl, { clientId: 'T01' });
    const ts = Math.floor(Date.now() / Q) * Q - 2 * Q;
    // KEY, 3P4W 380 V: the qualified band's upper edge is 234.8 V and one point raises (as in the e2e test).
    await device.publishAsync('concentrators/T01/voltage', JSON.stringify({ records: [{ meter: 'M001', ts, a: 251.3, b: 229, c: 230 }] }), { qos: 1 });
    await device.endAsync();
    await t.svc.drain();
    await waitFor(() => pushed.some((m) => m.type === 'alarm' && m.change === 'created' && m.alarm?.rule === 'V1'), 'the alarm on the live stream', 20_000);
    const alarms = await getJson<{ items: { rule: string; phase: string; startTs: string }[] }>(`${t.base}/api/alarms?state=open`, t.token);
    expect(alarms.items.filter((a) => a.rule === 'V1').map((a) => [a.phase, a.startTs])).toEqual([['A', new Date(ts).toISOString()]]);

    // The sample was evaluated in the worker, not in the service, which only queues.
    const counter = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const fromWorker = await (await fetch(`${workerHttp}/metrics`)).text();
    expect(counter(fromWorker, 'loadwatch_rules_samples_evaluated_total')).toBeGreaterThanOrEqual(1);
    expect(counter(fromWorker, 'loadwatch_rules_evaluation_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(counter(fromWorker, 'loadwatch_rules_evaluation_errors_total')).toBe(0);
    expect(fromWorker).toMatch(/^loadwatch_process_process_resident_memory_bytes \d+/m);
    const fromService = await (await fetch(`${t.base}/metrics`)).text();
    expect(counter(fromService, 'loadwatch_rules_samples_evaluated_total')).toBe(0);
  });

  it('the worker reports its dependencies on /readyz and its liveness on /healthz', async () => {
    const ready = await fetch(`${workerHttp}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { database: 'ok', queue: 'ok' } }]);
    expect((await fetch(`${workerHttp}/healthz`)).status).toBe(200);
  });
});
