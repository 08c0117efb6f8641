import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../test/support/service.js';
import { archiveCsv } from './archive-csv.js';
import { planSimulation, runSimulation, type SimulationOptions } from './publisher.js';

/** The simulator against the service with anonymous MQTT off (the default): only issued secrets get in. */
describe('simulated devices with credentials', () => {
  const options: SimulationOptions = { meters: 20, concentrators: 2, directMeters: 1, seed: 'credentials', speed: 1e6, steps: 1 };
  const plan = planSimulation(options);
  let svc: TestService;
  let secrets: Map<string, string>;
  beforeAll(async () => {
    svc = await startTestService('postgres', { MQTT_ALLOW_ANONYMOUS: 'false' });
    const res = await svc.api('/api/archive/import?credentials=issue', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: archiveCsv(plan.fleet) });
    expect(res.status).toBe(200);
    secrets = new Map(((await res.json()) as { credentials: { deviceId: string; secret: string }[] }).credentials.map((c) => [c.deviceId, c.secret]));
  }, 60_000);
  afterAll(async () => svc?.close());

  const run = (credentials?: Map<string, string>) => runSimulation({ ...options, mqttUrl: svc.mqttUrl, credentials }, undefined, plan);

  it('the import issued a secret to each concentrator and the direct meter, and with them a step is stored', async () => {
    const direct = plan.fleet.meters.find((m) => m.concentratorId === null)!;
    expect([...secrets.keys()].sort()).toEqual([...plan.fleet.concentrators.map((c) => c.id), direct.id].sort());
    const stats = await run(secrets);
    expect(stats.samples).toBeGreaterThan(0);
    await svc.svc.drain();
    const series = (await (await svc.api(`/api/meters/${direct.id}/series?kind=load&from=${plan.startMs}&to=${plan.startMs + 1}`)).json()) as { ts: number[] };
    expect(series.ts).toEqual([plan.startMs]);
  }, 60_000);

  it('without credentials, or with one wrong secret, the first connect fails with the broker\'s refusal instead of hanging', async () => {
    await expect(run()).rejects.toThrow(/the broker refused .*: Connection refused/);
    const wrong = new Map(secrets);
    const victim = plan.fleet.concentrators[0].id;
    wrong.set(victim, secrets.get(plan.fleet.concentrators[1].id)!);
    await expect(run(wrong)).rejects.toThrow(new RegExp(`the broker refused ${victim}: Connection refused`));
  }, 60_000);
});
