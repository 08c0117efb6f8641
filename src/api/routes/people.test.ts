import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './app.fixture.js';

const SAME_ORIGIN = { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' };
const cookieOf = (setCookie: unknown) => String(setCookie).split(';')[0];

describe('people: sessions, tokens, users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('pglite');
  });
  afterAll(async () => t?.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const login = (payload: object, headers: Record<string, string> = {}) => t.raw.inject({ method: 'POST', url: '/api/session', payload, headers });

  it('signs in with a token: an HttpOnly, SameSite=Strict cookie for the session lifetime, and who it is', async () => {
    const res = await login({ token: t.tokens.dispatcher });
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toMatch(/^lw_session=lws_[0-9a-f]{16}_[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=3600$/);
    const me = await t.raw.inject({ url: '/api/session', headers: { cookie: cookieOf(res.headers['set-cookie']) } });
    expect(me.json()).toMatchObject({ id: t.tokens.dispatcher.slice(3, 19), role: 'dispatcher', via: 'session' });
    expect(me.json().name).toEqual(expect.any(String));
    const secure = await login({ token: t.tokens.viewer }, { 'x-forwarded-proto': 'https' });
    expect(secure.headers['set-cookie']).toMatch(/; Secure$/);
  });

  it.each([
    ['a wrong token', { token: 'lw_0123456789abcdef_' + 'A'.repeat(43) }, 401, 'UNAUTHENTICATED'],
    ['garbage', { token: 'nope' }, 401, 'UNAUTHENTICATED'],
    ['token and password together', { token: 'x', username: 'a', password: 'b' }, 400, 'BAD_REQUEST'],
    ['a username without a password', { username: 'alice' }, 400, 'BAD_REQUEST'],
    ['nothing', {}, 400, 'BAD_REQUEST'],
  ])('refuses to sign in with %s', async (_name, body, status, code) => {
    const res = await login(body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: code });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a sign-in posted by a page of another site', async () => {
    const res = await login({ token: t.tokens.admin }, { host: '127.0.0.1:8080', origin: 'http://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'ORIGIN_REFUSED' });
  });

  it('takes cookie-authenticated writes only from the service itself or an allowed origin', async () => {
    const cookie = cookieOf((await login({ token: t.tokens.dispatcher })).headers['set-cookie']);
    const ack = (headers: Record<string, string>) =>
      t.raw.inject({ method: 'POST', url: '/api/alarms/no-such-alarm/ack', payload: { by: 'x' }, headers: { cookie, ...headers } });
    const foreign: Record<string, string>[] = [{}, { host: '127.0.0.1:8080', origin: 'http://evil.example' }, { host: '127.0.0.1:8080', referer: 'http://evil.example/' }, { origin: 'null' }];
    for (const headers of foreign) {
      const res = await ack(headers);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'ORIGIN_REFUSED' });
    }
    // Past the check, the alarm simply does not exist.
    for (const headers of [SAME_ORIGIN, { host: '127.0.0.1:8080', referer: 'http://127.0.0.1:8080/#/alarms' }, { host: '127.0.0.1:8080', origin: 'https://ops.example.com' }]) {
      expect((await ack(headers)).statusCode).toBe(404);
    }
    // Reads with the cookie, and writes with a Bearer token, need no Origin.
    expect((await t.raw.inject({ url: '/api/alarms', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.raw.inject({ method: 'POST', url: '/api/alarms/no-such-alarm/ack', payload: { by: 'x' }, headers: bearer(t.tokens.dispatcher) })).statusCode).toBe(404);
    expect(t.events.some((e) => e.event === 'origin_refused')).toBe(true);
  });

  it('signs out: the cookie is cleared and the session ends', async () => {
    const cookie = cookieOf((await login({ token: t.tokens.viewer })).headers['set-cookie']);
    const out = await t.raw.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(out.headers['set-cookie']).toMatch(/^lw_session=; .*Max-Age=0/);
    expect((await t.raw.inject({ url: '/api/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('creates a token shown once, lists tokens without secrets, and a revoked token and its sessions stop working', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'scada', role: 'viewer' } });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json<{ token: string; id: string }>();
    expect(token).toMatch(new RegExp(`^lw_${id}_[\\w-]{43}$`));
    expect(created.headers['cache-control']).toBe('no-store');
    const list = await t.app.inject({ url: '/api/tokens' });
    expect(list.body).not.toContain(token.slice(20));
    expect(list.json().items.find((x: { id: string }) => x.id === id)).toMatchObject({ name: 'scada', role: 'viewer', revokedAt: null, createdBy: t.tokens.admin.slice(3, 19) });
    expect(Object.keys(list.json().items[0]).sort()).toEqual(['createdAt', 'createdBy', 'id', 'name', 'revokedAt', 'role']);

    const cookie = cookieOf((await login({ token })).headers['set-cookie']);
    expect((await t.raw.inject({ url: '/api/customers', headers: bearer(token) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/tokens/${id}` })).statusCode).toBe(204);
    expect((await t.raw.inject({ url: '/api/customers', headers: bearer(token) })).statusCode).toBe(401);
    expect((await t.raw.inject({ url: '/api/customers', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/tokens/${id}` })).statusCode).toBe(404);
    expect(t.events.filter((e) => e.event === 'revocation' && e.fields.tokenId === id)).toHaveLength(1);
    expect(JSON.stringify(t.events)).not.toContain(token.slice(20));
  });

  describe('users', () => {
    const password = 'correct horse battery';
    const users = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, payload });

    it('signs a user in with the password, and the same 401 for a wrong password and an unknown user', async () => {
      expect((await users('POST', '/api/users', { username: 'alice', role: 'dispatcher', password })).json()).toMatchObject({ username: 'alice', role: 'dispatcher', disabledAt: null });
      const ok = await login({ username: 'alice', password });
      expect(ok.json()).toEqual({ id: 'alice', name: 'alice', role: 'dispatcher', via: 'session' });
      const wrong = await login({ username: 'alice', password: password + 'x' });
      const unknown = await login({ username: 'mallory', password });
      expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
      expect(wrong.body).toBe(unknown.body);
      const list = await t.app.inject({ url: '/api/users' });
      expect(list.body).not.toMatch(/scrypt|password/i);
    });

    it.each([
      ['a bad username', { username: 'Alice', role: 'viewer', password }, 400, 'INVALID_USERNAME'],
      ['a username shaped like a token id', { username: 'deadbeefdeadbeef', role: 'viewer', password }, 400, 'INVALID_USERNAME'],
      ['a short password', { username: 'bob', role: 'viewer', password: 'short' }, 400, 'BAD_REQUEST'],
      ['an unknown role', { username: 'bob', role: 'root', password }, 400, 'BAD_REQUEST'],
    ])('refuses a user with %s', async (_name, body, status, code) => {
      const res = await users('POST', '/api/users', body);
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ error: code });
    });

    it('refuses a second user of the same name', async () => {
      await users('POST', '/api/users', { username: 'carol', role: 'viewer', password });
      expect((await users('POST', '/api/users', { username: 'carol', role: 'admin', password })).statusCode).toBe(409);
    });

    it("applies a role change to the user's open session, changes the password, and ends sessions when disabled", async () => {
      await users('POST', '/api/users', { username: 'dave', role: 'viewer', password });
      const cookie = cookieOf((await login({ username: 'dave', password })).headers['set-cookie']);
      const ack = () => t.raw.inject({ method: 'POST', url: '/api/alarms/none/ack', payload: { by: 'dave' }, headers: { cookie, ...SAME_ORIGIN } });
      expect((await ack()).statusCode).toBe(403);
      expect((await users('PATCH', '/api/users/dave', { role: 'dispatcher', password: 'another long password' })).json()).toMatchObject({ role: 'dispatcher' });
      expect((await ack()).statusCode).toBe(404);
      expect((await login({ username: 'dave', password })).statusCode).toBe(401);
      expect((await login({ username: 'dave', password: 'another long password' })).statusCode).toBe(200);

      expect((await users('DELETE', '/api/users/dave')).statusCode).toBe(204);
      expect((await t.raw.inject({ url: '/api/session', headers: { cookie } })).statusCode).toBe(401);
      expect((await login({ username: 'dave', password: 'another long password' })).statusCode).toBe(401);
      expect((await users('PATCH', '/api/users/dave', { enabled: true })).json()).toMatchObject({ disabledAt: null });
      expect((await login({ username: 'dave', password: 'another long password' })).statusCode).toBe(200);
      expect((await users('PATCH', '/api/users/nobody', { role: 'viewer' })).statusCode).toBe(404);
    });
  });

  describe('webhook subscriptions of integrators', () => {
    it('shows and changes only its own subscriptions; the others do not exist for it', async () => {
      const other = (await t.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'other integrator', role: 'integrator' } })).json<{ token: string }>().token;
      const as = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => t.raw.inject({ method, url, payload, headers: bearer(token) });
      // Loopback: the fixture allows it, and it needs no name lookup.
      const mine = (await as(t.tokens.integrator, 'POST', '/api/subscriptions', { url: 'http://127.0.0.1:9/a' })).json<{ id: string; owner: string }>();
      expect(mine.owner).toBe(t.tokens.integrator.slice(3, 19));
      const admins = (await t.app.inject({ method: 'POST', url: '/api/subscriptions', payload: { url: 'http://127.0.0.1:9/b' } })).json<{ id: string }>();

      const ids = async (token: string) => (await as(token, 'GET', '/api/subscriptions')).json<{ items: { id: string }[] }>().items.map((s) => s.id);
      expect(await ids(t.tokens.integrator)).toEqual([mine.id]);
      expect(await ids(other)).toEqual([]);
      expect(await ids(t.tokens.admin)).toEqual(expect.arrayContaining([mine.id, admins.id]));
      for (const [method, url] of [['GET', `/api/subscriptions/${mine.id}`], ['GET', `/api/subscriptions/${mine.id}/deliveries`], ['GET', `/api/subscriptions/${mine.id}/dead-letters`], ['GET', `/api/subscriptions/${mine.id}/deliveries/${'0'.repeat(32)}`], ['POST', `/api/subscriptions/${mine.id}/dead-letters/${'0'.repeat(32)}/retry`], ['DELETE', `/api/subscriptions/${mine.id}`], ['DELETE', `/api/subscriptions/${admins.id}`]] as const) {
        const res = await as(other, method, url);
        expect({ url, status: res.statusCode, error: res.json().error }).toEqual({ url, status: 404, error: 'SUBSCRIPTION_NOT_FOUND' });
      }
      expect((await as(t.tokens.viewer, 'GET', '/api/subscriptions')).statusCode).toBe(403);
      expect((await as(t.tokens.integrator, 'DELETE', `/api/subscriptions/${mine.id}`)).statusCode).toBe(204);
      expect(await ids(t.tokens.admin)).toContain(admins.id);
    });
  });
});
