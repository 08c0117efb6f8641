import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../../notify/receiver.fixture.js';
import { verifySignature } from '../../notify/signature.js';
import { openTestApp, type TestApp } from './app.fixture.js';

describe('subscriptions API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('pglite');
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: unknown) => t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: body as object });

  it.each([
    ['no url', {}, 'BAD_REQUEST'],
    ['http to another host', { url: 'http://203.0.113.10/x' }, 'INVALID_WEBHOOK_URL'],
    ['the cloud metadata address', { url: 'http://169.254.169.254/latest/meta-data/' }, 'INVALID_WEBHOOK_URL'],
    ['a private address', { url: 'https://10.0.0.1/x' }, 'INVALID_WEBHOOK_URL'],
    ['a host that does not resolve', { url: 'https://hooks.invalid/x' }, 'INVALID_WEBHOOK_URL'],
    ['not a URL', { url: 'hooks' }, 'INVALID_WEBHOOK_URL'],
    ['an unknown class', { url: 'https://h.example/x', filter: { classes: ['VIP'] } }, 'BAD_REQUEST'],
    ['an unknown severity', { url: 'https://h.example/x', filter: { severities: ['HIGH'] } }, 'BAD_REQUEST'],
    ['an unknown transition', { url: 'https://h.example/x', filter: { transitions: ['deescalated'] } }, 'BAD_REQUEST'],
    ['a misspelt filter key', { url: 'https://h.example/x', filter: { severity: ['MAJOR'] } }, 'BAD_REQUEST'],
    ['an unknown top-level key', { url: 'https://h.example/x', secret: 'mine' }, 'BAD_REQUEST'],
  ])('refuses %s with a 400', async (_name, body, code) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: code });
  });

  it('returns the secret once, at creation, and never again', async () => {
    // TEST-NET-3 (RFC 5737): public, needs no DNS, and registering sends nothing.
    const res = await post({ url: 'https://203.0.113.10/loadwatch', description: 'ops', filter: { classes: ['KEY'], severities: ['CRITICAL', 'MAJOR'] } });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ url: 'https://203.0.113.10/loadwatch', description: 'ops', filter: { classes: ['KEY'], severities: ['CRITICAL', 'MAJOR'] } });

    const one = await t.app.inject({ url: `/api/subscriptions/${created.id}` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).not.toHaveProperty('secret');
    const list = await t.app.inject({ url: '/api/subscriptions' });
    expect(list.body).not.toContain(created.secret);
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(created.id);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/subscriptions/${created.id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/subscriptions/${created.id}` })).json()).toMatchObject({ error: 'SUBSCRIPTION_NOT_FOUND' });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/subscriptions/${created.id}` })).statusCode).toBe(404);
  });

  it('lists dead letters, sends one again on request, and shows it delivered with its attempts', async () => {
    const receiver = new Receiver();
    const port = await receiver.start();
    try {
      const sub = (await post({ url: `http://127.0.0.1:${port}/hook` })).json();
      const deliveryId = 'ab'.repeat(16);
      const body = JSON.stringify({ deliveryId, subscriptionId: sub.id, type: 'alarm.created' });
      await t.db.sql.query(
        `INSERT INTO notify_deliveries (id, subscription_id, alarm_id, change, body, status, attempts, last_status_code, last_error)
         VALUES ($1, $2, '7', 'created', $3, 'dead', 33, 503, 'HTTP 503: busy')`,
        [deliveryId, sub.id, body],
      );
      const dead = (await t.app.inject({ url: `/api/subscriptions/${sub.id}/dead-letters` })).json();
      expect(dead.items).toEqual([expect.objectContaining({ id: deliveryId, status: 'dead', attempts: 33, lastStatusCode: 503, lastError: 'HTTP 503: busy' })]);
      expect(receiver.requests).toHaveLength(0);

      const retry = await t.app.inject({ method: 'POST', url: `/api/subscriptions/${sub.id}/dead-letters/${deliveryId}/retry` });
      expect(retry.statusCode).toBe(202);
      await expect.poll(() => receiver.requests.length, { timeout: 5_000 }).toBe(1);
      expect(receiver.requests[0]).toMatchObject({ deliveryId, body });
      expect(verifySignature(receiver.requests[0].signature, sub.secret, body, Math.floor(Date.now() / 1000))).toBe(true);

      await expect.poll(async () => (await t.app.inject({ url: `/api/subscriptions/${sub.id}/deliveries?status=delivered` })).json().items.length).toBe(1);
      const one = (await t.app.inject({ url: `/api/subscriptions/${sub.id}/deliveries/${deliveryId}` })).json();
      expect(one).toMatchObject({ status: 'delivered', attempts: 34, lastStatusCode: 200, lastError: null });
      expect(one.attemptLog).toEqual([expect.objectContaining({ attempt: 34, statusCode: 200, error: null })]);
      expect((await t.app.inject({ url: `/api/subscriptions/${sub.id}/dead-letters` })).json().items).toEqual([]);

      const again = await t.app.inject({ method: 'POST', url: `/api/subscriptions/${sub.id}/dead-letters/${deliveryId}/retry` });
      expect(again.statusCode).toBe(404);
      expect(again.json()).toMatchObject({ error: 'DEAD_LETTER_NOT_FOUND' });
      expect((await t.app.inject({ url: `/api/subscriptions/${sub.id}/deliveries/nothex` })).statusCode).toBe(400);
      expect((await t.app.inject({ url: '/api/subscriptions/sub_none/deliveries' })).statusCode).toBe(404);
    } finally {
      await receiver.stop();
    }
  });
});
