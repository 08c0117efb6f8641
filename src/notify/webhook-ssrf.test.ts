import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import type { RecordSecurityEvent } from '../access/security-events.js';
import { alarmChange } from './change.fixture.js';
import { CountingServer } from './counting-server.fixture.js';
import { startNotify, type NotifyService } from './service.js';
import type { ResolveHost } from './webhook-target.js';

const log = pino({ level: 'silent' });

async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The request-forgery rules through the notify service (subscribe, notify, the embedded queue, the sender),
 * with real receivers on loopback that count connections: a refused webhook is never contacted.
 */
describe('webhook request forgery, end to end in the notify service', () => {
  let tdb: TestDatabase | undefined;
  let notify: NotifyService | undefined;
  const servers: CountingServer[] = [];
  let events: Array<{ event: string; fields: Record<string, unknown> }> = [];
  const securityEvent: RecordSecurityEvent = (event, fields) => events.push({ event, fields });

  async function serve(answer?: ConstructorParameters<typeof CountingServer>[0], host?: string) {
    const server = new CountingServer(answer);
    servers.push(server);
    return { server, port: await server.start(host) };
  }

  async function start(allowLoopbackHttp: boolean, resolveHost?: ResolveHost): Promise<NotifyService> {
    events = [];
    tdb = await openTestDatabase('pglite');
    notify = await startNotify({ sql: tdb.sql, allowLoopbackHttp, resolveHost, securityEvent, schedule: { attempts: 2, firstDelayMs: 50, maxDelayMs: 50, jitter: 0 }, pollIntervalMs: 50, log });
    return notify;
  }

  /** Subscribes, sends one alarm change and waits for the delivery to end (delivered or dead). */
  async function deliverOne(n: NotifyService, url: string, afterSubscribe = () => {}) {
    const sub = await n.api.subscribe({ url, description: 'ssrf', filter: {} });
    if (!sub.ok) throw new Error(sub.detail);
    afterSubscribe();
    await n.notifier.notify([alarmChange('created')]);
    await until(async () => (await n.api.listDeliveries(sub.subscription.id, { limit: 1 }))[0]?.status !== 'pending', 'the delivery to end');
    return (await n.api.listDeliveries(sub.subscription.id, { limit: 1 }))[0]!;
  }

  afterEach(async () => {
    await notify?.close();
    await tdb?.drop();
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('refuses to register 127.0.0.1 and [::1] without the setting, and those receivers see no connection', async () => {
    const v4 = await serve();
    const v6 = await serve(undefined, '::1');
    const n = await start(false);
    const refused4 = await n.api.subscribe({ url: `http://127.0.0.1:${v4.port}/hook`, description: '', filter: {}, owner: 'integrator-1' });
    const refused6 = await n.api.subscribe({ url: `https://[::1]:${v6.port}/hook`, description: '', filter: {} });
    expect(refused4).toEqual({ ok: false, reason: 'url', detail: 'url host 127.0.0.1 is a loopback address (127.0.0.0/8): allowed only with NOTIFY_ALLOW_LOOPBACK_HTTP=true (tests)' });
    expect(refused6).toEqual({ ok: false, reason: 'url', detail: 'url host ::1 is a loopback address (::1/128): allowed only with NOTIFY_ALLOW_LOOPBACK_HTTP=true (tests)' });
    await n.notifier.notify([alarmChange('created')]);
    expect(await n.api.listSubscriptions()).toEqual([]);
    expect(v4.server.connections + v6.server.connections).toBe(0);
    expect(events).toEqual([
      { event: 'webhook_refused', fields: { stage: 'registration', reason: refused4.ok ? '' : refused4.detail.slice(4), by: 'integrator-1' } },
      { event: 'webhook_refused', fields: { stage: 'registration', reason: refused6.ok ? '' : refused6.detail.slice(4), by: undefined } },
    ]);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'url host 169.254.169.254 is a link-local address (169.254.0.0/16): webhooks may only reach public addresses'],
    ['https://10.0.0.1/hook', 'url host 10.0.0.1 is a private address (10.0.0.0/8): webhooks may only reach public addresses'],
    ['https://[::ffff:10.0.0.1]/hook', 'url host ::ffff:a00:1 is a private address (10.0.0.0/8): webhooks may only reach public addresses'],
  ])('refuses to register %s, even with loopback allowed', async (url, detail) => {
    const n = await start(true);
    expect(await n.api.subscribe({ url, description: '', filter: {} })).toEqual({ ok: false, reason: 'url', detail });
  });

  it('a host that resolved to a public address at registration and to loopback later is not contacted (DNS rebinding)', async () => {
    const { server, port } = await serve();
    let answer = ['203.0.113.10'];
    const n = await start(false, async () => answer);
    const delivery = await deliverOne(n, `https://hooks.rebind.test:${port}/hook`, () => (answer = ['127.0.0.1']));
    expect(delivery).toMatchObject({ status: 'dead', attempts: 2, lastStatusCode: null });
    expect(delivery.lastError).toBe('not sent: url host hooks.rebind.test resolves to 127.0.0.1, a loopback address (127.0.0.0/8): allowed only with NOTIFY_ALLOW_LOOPBACK_HTTP=true (tests)');
    expect(server.connections).toBe(0);
    // One security event per refused attempt.
    expect(events).toEqual([1, 2].map(() => ({ event: 'webhook_refused', fields: { stage: 'send', reason: delivery.lastError!.slice('not sent: url '.length) } })));
  });

  it('a receiver redirecting to another loopback receiver: the redirect is not followed, the second gets zero requests', async () => {
    const target = await serve();
    const redirecting = await serve((res) => res.writeHead(302, { location: `http://127.0.0.1:${target.port}/internal` }).end());
    const n = await start(true);
    const delivery = await deliverOne(n, `http://127.0.0.1:${redirecting.port}/hook`);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 2, lastStatusCode: 302, lastError: `HTTP 302: redirect to http://127.0.0.1:${target.port}/internal not followed` });
    expect(redirecting.server.requests).toHaveLength(2);
    expect(target.server.connections).toBe(0);
  });
});
