import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { originVerdict } from '../../access/origin.js';
import { countFailure, refuseForeignOrigin, refuseLockedOut, type PeopleDeps } from '../auth.js';
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie } from '../cookies.js';
import { ApiError } from '../errors.js';

const Login = Type.Object(
  {
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: Type.Never(), description: 'either {token} or {username, password}' },
);

const PersonView = Type.Object({ id: Type.String(), name: Type.String(), role: Type.String(), via: Type.String() });
const secure = (req: FastifyRequest) => req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';

/** The dashboard's login: a session cookie made from a token or a username and password. */
export const sessionRoutes = (deps: PeopleDeps): FastifyPluginAsyncTypebox => async (app) => {
  app.post('/session', { config: { public: true }, schema: { summary: 'Sign in; sets the lw_session cookie (HttpOnly, SameSite=Strict)', body: Login, response: { 200: PersonView } } }, async (req, reply) => {
    const at = { ip: req.ip, route: '/api/session' };
    // A page of another site must not sign the browser in (login CSRF); scripts send no Origin.
    if (originVerdict({ origin: req.headers.origin, host: req.headers.host }, deps.allowedOrigins) === 'refused') refuseForeignOrigin(req, deps, at);
    const { token, username, password } = req.body;
    const byToken = token !== undefined && username === undefined && password === undefined;
    const byPassword = token === undefined && username !== undefined && password !== undefined;
    if (!byToken && !byPassword) throw new ApiError(400, 'BAD_REQUEST', 'send {token} or {username, password}');
    refuseLockedOut(deps, req.ip, reply);
    const result = await deps.access.login(byToken ? { token } : { username: username!, password: password! });
    if (!result) {
      deps.security('auth_failure', { ...at, credential: byToken ? 'token' : 'password', username: username ?? null }, 'a dashboard login was refused');
      countFailure(deps, req.ip);
      throw new ApiError(401, 'UNAUTHENTICATED', byToken ? 'the token is not valid' : 'wrong username or password');
    }
    deps.security('login', { ...at, person: result.person.id, role: result.person.role, credential: byToken ? 'token' : 'password' }, 'signed in to the dashboard');
    return reply.header('set-cookie', sessionCookie(result.session, deps.sessionTtlMs, secure(req))).header('cache-control', 'no-store').send(result.person);
  });

  app.get('/session', { config: { permission: 'read' }, schema: { summary: 'Who is signed in', response: { 200: PersonView } } }, (req) => req.person!);

  app.delete('/session', { config: { public: true }, schema: { summary: 'Sign out: ends the session and clears the cookie' } }, async (req, reply) => {
    const session = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (session) await deps.access.logout(session);
    return reply.status(204).header('set-cookie', clearedSessionCookie(secure(req))).send();
  });
};
