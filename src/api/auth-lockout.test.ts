import { afterEach, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './routes/app.fixture.js';

const GUESSER = '203.0.113.7';
const OTHER = '198.51.100.9';

describe('HTTP sign-in lockout per IP address', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const login = (ip: string, payload: object) => t.raw.inject({ method: 'POST', url: '/api/session', remoteAddress: ip, payload });
  const asBearer = (ip: string, token: string) => t.raw.inject({ url: '/api/session', remoteAddress: ip, headers: { authorization: `Bearer ${token}` } });

  it('refuses an address with 429 and Retry-After after repeated failed logins, even with the right credential; others and signed-in cookies go on', async () => {
    t = await openTestApp('pglite', { authFailuresMax: 3 });
    const cookie = (await login(OTHER, { token: t.tokens.viewer })).headers['set-cookie'] as string;
    for (const password of ['a', 'b', 'c']) expect((await login(GUESSER, { username: 'admin', password })).statusCode).toBe(401);

    const refused = await login(GUESSER, { token: t.tokens.admin });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: 'LOCKED_OUT' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await asBearer(GUESSER, t.tokens.admin)).statusCode).toBe(429);
    expect(t.events.filter((e) => e.event === 'lockout')).toEqual([{ event: 'lockout', fields: { ip: GUESSER, door: 'http' } }]);

    expect((await login(OTHER, { token: t.tokens.admin })).statusCode).toBe(200);
    expect((await asBearer(OTHER, t.tokens.admin)).statusCode).toBe(200);
    // A session cookie is not guessable; a dashboard already signed in behind the locked address keeps working.
    expect((await t.raw.inject({ url: '/api/session', remoteAddress: GUESSER, headers: { cookie: cookie.split(';')[0] } })).statusCode).toBe(200);
  });

  it('counts bad Bearer tokens on any /api route toward the same lock', async () => {
    t = await openTestApp('pglite', { authFailuresMax: 3 });
    for (let i = 0; i < 3; i++) expect((await asBearer(GUESSER, `${t.tokens.admin}x${i}`)).statusCode).toBe(401);
    expect((await asBearer(GUESSER, t.tokens.admin)).statusCode).toBe(429);
    expect((await login(GUESSER, { token: t.tokens.admin })).statusCode).toBe(429);
    expect(t.events.filter((e) => e.event === 'lockout')).toHaveLength(1);
  });
});
