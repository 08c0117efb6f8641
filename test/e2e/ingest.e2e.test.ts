import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_COLUMNS } from '../../src/archive/columns.js';
import { DB_FLAVOURS } from '../support/db.js';
import { getJson, startTestService, waitFor, type TestService } from '../support/service.js';

const ARCHIVE = [
  ARCHIVE_COLUMNS.join(','),
  'C001,"华东电机有限公司, 二厂",KEY|TOP100,"浦东新区, 张江路 1 号",021-5555,李明,100,0.9,31.2,121.5,M001,T01,3P4W,380,1.5,80,1,secondary',
  'C002,Acme Bakery,LV_NONRES,Nanjing Road 5,,Zhou,,,,,M003,T02,3P4W,380,100,1,1,primary',
].join('\n');

const Q = 15 * 60_000;
/** Quarter-hours, ending two quarters before now so nothing is in the future. */
const slot = (i: number) => Math.floor(Date.now() / Q) * Q - (10 - i) * Q;

interface WsMessage { type: string; [k: string]: unknown }

describe.each(DB_FLAVOURS)('end to end on %s: MQTT in, rows, alarms, live stream and quarantine out', (flavour) => {
  let t: TestService;
  let device: mqtt.MqttClient;
  let ws: WebSocket;
  const pushed: WsMessage[] = [];

  beforeAll(async () => {
    t = await startTestService(flavour);
    const res = await t.api('/api/archive/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: ARCHIVE });
    expect(res.status, await res.clone().text()).toBe(200);
    ws = new WebSocket(`ws://127.0.0.1:${t.svc.httpPort}/ws`, { headers: { authorization: `Bearer ${t.token}` } });
    ws.on('message', (data) => pushed.push(JSON.parse(data.toString()) as WsMessage));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ op: 'subscribe', customers: ['C001'], alarms: true }));
    await waitFor(() => pushed.some((m) => m.type === 'subscribed'), 'the subscription to be confirmed');
    device = await mqtt.connectAsync(t.mqttUrl, { clientId: 'T01' });
  });

  afterAll(async () => {
    ws?.close();
    await device?.endAsync();
    await t?.close();
  });

  it('stores a concentrator batch in primary values and quarantines only its bad records', async () => {
    await device.publishAsync(
      'concentrators/T01/current',
      JSON.stringify({
        records: [
          { meter: 'M001', ts: slot(0), a: 1.25, b: 1.5, c: null },
          { meter: 'M003', ts: slot(0), a: 10 },
          { meter: 'NOPE', ts: slot(0), a: 10 },
          { meter: 'M001', ts: slot(1), a: 'high' },
        ],
      }),
      { qos: 1 },
    );
    await t.svc.drain();
    const series = await getJson<{ ts: number[]; values: Record<string, (number | null)[]> }>(
      `${t.base}/api/meters/M001/series?kind=current&from=${slot(0)}&to=${slot(2)}`,
      t.token,
    );
    expect(series.ts).toEqual([slot(0)]);
    expect(series.values).toEqual({ a: [100], b: [120], c: [null] });

    const quarantine = await getJson<{ items: { reason: string; meterId: string; topic: string; clientId: string; payload: string }[] }>(`${t.base}/api/quarantine?limit=10`, t.token);
    expect(quarantine.items.map((q) => [q.reason, q.meterId]).sort()).toEqual([
      ['not_behind_concentrator', 'M003'],
      ['schema', 'M001'],
      ['unknown_meter', 'NOPE'],
    ]);
    expect(quarantine.items[0]).toMatchObject({ topic: 'concentrators/T01/current', clientId: 'T01' });
    expect(quarantine.items.find((q) => q.reason === 'schema')?.payload).toContain('"high"');
  });

  it('raises one over-voltage alarm linked to the customer and pushes samples and the alarm over WebSocket', async () => {
    // 3P4W 380 V: phase reference 219.4 V, KEY qualified band +7 % = 234.8 V, one point raises (domain.md 3.2).
    await device.publishAsync('concentrators/T01/voltage', JSON.stringify({ records: [{ meter: 'M001', ts: slot(2), a: 251.3, b: 229, c: 230 }] }), { qos: 1 });
    await t.svc.drain();

    const alarms = await getJson<{ items: Record<string, unknown>[] }>(`${t.base}/api/alarms?state=open&class=KEY`, t.token);
    const v1 = alarms.items.filter((a) => a.rule === 'V1');
    expect(v1).toHaveLength(1);
    expect(v1[0]).toMatchObject({
      meterId: 'M001',
      phase: 'A',
      severity: 'MINOR',
      active: true,
      startTs: new Date(slot(2)).toISOString(),
      peakValue: 251.3,
      customer: { id: 'C001', name: '华东电机有限公司, 二厂', classes: ['KEY', 'TOP100'], address: '浦东新区, 张江路 1 号', accountManager: '李明' },
    });

    await expect.poll(() => pushed.filter((m) => m.type === 'sample' && m.kind === 'voltage').length).toBe(1);
    expect(pushed.find((m) => m.type === 'sample' && m.kind === 'voltage')).toMatchObject({ meterId: 'M001', customerId: 'C001', ts: slot(2), values: { a: 251.3, b: 229, c: 230 } });
    await expect.poll(() => pushed.some((m) => m.type === 'alarm' && m.change === 'created')).toBe(true);

    const customer = await getJson<{ openAlarms: { rule: string }[]; meters: { id: string }[] }>(`${t.base}/api/customers/C001`, t.token);
    expect(customer.meters.map((m) => m.id)).toEqual(['M001']);
    expect(customer.openAlarms.map((a) => a.rule)).toContain('V1');
    // Without REDIS_URL this service evaluated the sample itself, and counts it.
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    expect(Number(/^loadwatch_rules_samples_evaluated_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('never stores a re-sent sample twice; a re-send with other values overwrites and is counted', async () => {
    const load = (p: number) => JSON.stringify({ records: [{ meter: 'M001', ts: slot(3), p, q: 0.01 }] });
    await device.publishAsync('concentrators/T01/load', load(0.5), { qos: 1 });
    await device.publishAsync('concentrators/T01/load', load(0.5), { qos: 1 });
    await device.publishAsync('concentrators/T01/load', load(0.6), { qos: 1 });
    await t.svc.drain();
    const series = await getJson<{ ts: number[]; values: { p: number[] } }>(`${t.base}/api/meters/M001/series?kind=load&from=${slot(3)}&to=${slot(4)}`, t.token);
    expect(series.ts).toHaveLength(1);
    expect(series.values.p[0]).toBeCloseTo(48, 6); // 0.6 kW secondary x 80
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    expect(metrics).toMatch(/loadwatch_ingest_samples_total\{result="overwritten"\} 1\b/);
    expect(metrics).toMatch(/loadwatch_ingest_samples_total\{result="duplicate"\} 1\b/);
  });

  it('quarantines a message that is not JSON, with its raw payload, and keeps serving', async () => {
    await device.publishAsync('meters/M001/load', Buffer.from('{"ts": 17, "p": 1'), { qos: 1 });
    await device.publishAsync('meters/M001/power', Buffer.from('{}'), { qos: 1 });
    await t.svc.drain();
    const quarantine = await getJson<{ items: { reason: string; payload: string; topic: string }[] }>(`${t.base}/api/quarantine?limit=50`, t.token);
    expect(quarantine.items.find((q) => q.reason === 'bad_json')).toMatchObject({ topic: 'meters/M001/load', payload: '{"ts": 17, "p": 1' });
    expect(quarantine.items.find((q) => q.reason === 'unknown_topic')).toMatchObject({ topic: 'meters/M001/power' });
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    expect(metrics).toMatch(/loadwatch_ingest_quarantined_total\{reason="bad_json"\} 1\b/);
    expect((await fetch(`${t.base}/healthz`)).status).toBe(200);
  });
});
