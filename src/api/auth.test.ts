import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, ROLES } from '../access/roles.js';
import { apiRoutes, installAuth, type PeopleDeps } from './auth.js';
import { openTestApp, type TestApp } from './routes/app.fixture.js';

// A route's parameters filled with something of the right shape: the check runs before any handler.
const concrete = (url: string) => url.replace(/:(\w+)/g, (_m, name: string) => (name === 'class' ? 'KEY' : name === 'id' ? '0123456789abcdef' : 'x'));

describe('route permissions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('knows every /api route, and all but sign-in and sign-out need a person', () => {
    const routes = apiRoutes(t.raw);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => r.permission === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual(['DELETE /api/session', 'POST /api/session']);
  });

  it('answers 401 UNAUTHENTICATED on every protected route without credentials, or with a bad one', async () => {
    for (const r of apiRoutes(t.raw).filter((x) => x.permission !== 'public')) {
      for (const headers of [{}, { authorization: `Bearer ${t.tokens.admin}x` }, { authorization: 'Basic YTpi' }, { cookie: 'lw_session=lws_0123456789abcdef_' + 'A'.repeat(43) }]) {
        const res = await t.raw.inject({ method: r.method as 'GET', url: concrete(r.url), headers });
        expect({ route: `${r.method} ${r.url}`, status: res.statusCode }).toEqual({ route: `${r.method} ${r.url}`, status: 401 });
        if (r.method !== 'HEAD') expect(res.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
      }
    }
  });

  it('refuses each role on each route it has no permission for (403), and lets the others past the check', async () => {
    const checked: string[] = [];
    for (const r of apiRoutes(t.raw).filter((x) => x.permission !== 'public')) {
      for (const role of ROLES) {
        const res = await t.raw.inject({ method: r.method as 'GET', url: concrete(r.url), headers: { authorization: `Bearer ${t.tokens[role]}` } });
        const allowed = allows(role, r.permission as Parameters<typeof allows>[1]);
        const outcome = res.statusCode === 403 && (r.method === 'HEAD' || res.json().error === 'FORBIDDEN') ? 'refused' : res.statusCode === 401 ? 'unauthenticated' : 'passed';
        expect({ route: `${r.method} ${r.url}`, role, outcome }).toEqual({ route: `${r.method} ${r.url}`, role, outcome: allowed ? 'passed' : 'refused' });
        if (!allowed && r.method !== 'GET' && r.method !== 'HEAD') checked.push(`${role} ${r.method} ${r.url}`);
      }
    }
    // The table: the viewer may write nothing, the dispatcher only alarms.
    expect(checked).toContain('viewer POST /api/alarms/:id/ack');
    expect(checked).toContain('dispatcher POST /api/archive/import');
    expect(checked).toContain('integrator PUT /api/rule-profiles/:class');
    expect(checked).toContain('dispatcher POST /api/tokens');
    expect(t.events.some((e) => e.event === 'acl_denied' && e.fields.role === 'viewer')).toBe(true);
  });

  it('records a change of rule settings as a config_change event, and not a refused one', async () => {
    const put = (token: string) =>
      t.raw.inject({ method: 'PUT', url: '/api/rule-profiles/KEY', payload: { by: 'ops', rules: { V1: { enabled: true } } }, headers: { authorization: `Bearer ${token}` } });
    const before = t.events.filter((e) => e.event === 'config_change').length;
    expect((await put(t.tokens.dispatcher)).statusCode).toBe(403);
    expect((await put(t.tokens.admin)).statusCode).toBe(200);
    const changes = t.events.filter((e) => e.event === 'config_change').slice(before);
    expect(changes.map((e) => e.fields)).toEqual([{ person: t.tokens.admin.slice(3, 19), method: 'PUT', route: '/api/rule-profiles/:class', target: { class: 'KEY' } }]);
  });

  it('never writes a presented token into a security event', () => {
    const text = JSON.stringify(t.events);
    for (const token of Object.values(t.tokens)) expect(text).not.toContain(token.slice(20));
  });
});

describe('fail closed', () => {
  const people = { access: {}, allowedOrigins: [], security: () => undefined, sessionTtlMs: 1 } as unknown as PeopleDeps;

  it('refuses to start with an /api route that declares no permission', async () => {
    const app = Fastify();
    installAuth(app, people);
    const starting = (async () => {
      await app.register(async (api) => {
        api.get('/open', async () => 'oops');
      }, { prefix: '/api' });
      await app.ready();
    })();
    await expect(starting).rejects.toThrow('GET /api/open declares no permission');
  });

  it('leaves routes outside /api alone', async () => {
    const app = Fastify();
    installAuth(app, people);
    app.get('/healthz', async () => 'ok');
    await app.ready();
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });
});
