import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestService, type TestService } from '../support/service.js';

type Outcome = { opened: true } | { opened: false; status: number };

/** Opens /ws with these headers: opened (101), or the status the upgrade was refused with. */
function upgrade(t: TestService, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.svc.httpPort}/ws?batch=1`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.once('error', (err) => reject(err));
  });
}

describe('WebSocket upgrade: authenticated and from our own origin, before the 101', () => {
  let t: TestService;
  let viewer: { id: string; token: string };
  let cookie: string;
  beforeAll(async () => {
    t = await startTestService('pglite', { HTTP_ALLOWED_ORIGINS: 'https://ops.example.com' });
    viewer = await (await t.api('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'wall', role: 'viewer' }) })).json();
    const login = await fetch(`${t.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: viewer.token }) });
    cookie = login.headers.get('set-cookie')!.split(';')[0];
  });
  afterAll(async () => t?.close());

  const own = () => `http://127.0.0.1:${t.svc.httpPort}`;

  it.each([
    ['no credentials', () => ({}), { opened: false, status: 401 }],
    ['a wrong token', () => ({ authorization: `Bearer ${viewer.token.slice(0, -1)}x` }), { opened: false, status: 401 }],
    ['a forged session cookie', () => ({ cookie: `lw_session=lws_0123456789abcdef_${'A'.repeat(43)}`, origin: own() }), { opened: false, status: 401 }],
    ['a valid token from another origin', () => ({ authorization: `Bearer ${viewer.token}`, origin: 'http://evil.example' }), { opened: false, status: 403 }],
    ['a valid session from another origin', () => ({ cookie, origin: 'http://evil.example' }), { opened: false, status: 403 }],
    ['no credentials from another origin', () => ({ origin: 'http://evil.example' }), { opened: false, status: 403 }],
    ['a token (a script: no Origin)', () => ({ authorization: `Bearer ${viewer.token}` }), { opened: true }],
    ['the session cookie from the dashboard', () => ({ cookie, origin: own() }), { opened: true }],
    ['the session cookie from an allowed origin', () => ({ cookie, origin: 'https://ops.example.com' }), { opened: true }],
  ])('%s', async (_name, headers, expected) => {
    expect(await upgrade(t, headers())).toEqual(expected);
  });

  it('refuses a revoked token and the sessions made with it', async () => {
    const made = await (await t.api('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'temp', role: 'dispatcher' }) })).json();
    const session = (await fetch(`${t.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: made.token }) })).headers.get('set-cookie')!.split(';')[0];
    expect(await upgrade(t, { authorization: `Bearer ${made.token}` })).toEqual({ opened: true });
    expect((await t.api(`/api/tokens/${made.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await upgrade(t, { authorization: `Bearer ${made.token}` })).toEqual({ opened: false, status: 401 });
    expect(await upgrade(t, { cookie: session, origin: own() })).toEqual({ opened: false, status: 401 });
    expect((await fetch(`${t.base}/api/alarms`, { headers: { authorization: `Bearer ${made.token}` } })).status).toBe(401);
  });

  it('counts the refusals as security events', async () => {
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    expect(metrics).toMatch(/loadwatch_security_events_total\{event="origin_refused"\} [1-9]/);
    expect(metrics).toMatch(/loadwatch_security_events_total\{event="auth_failure"\} [1-9]/);
  });
});
