import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Access } from '../access/access.js';
import type { AuthLockout } from '../access/auth-lockout.js';
import { bearerOf } from '../access/credential.js';
import { originVerdict } from '../access/origin.js';
import { allows, type Permission, type Person } from '../access/roles.js';
import type { RecordSecurityEvent } from '../access/security-events.js';
import { cookieValue, SESSION_COOKIE } from './cookies.js';
import { ApiError } from './errors.js';
import './permission.js';

/** People over HTTP: what the auth hooks and the session, token and user routes need. */
export interface PeopleDeps {
  access: Access;
  /** Origins besides the service's own that may open the WebSocket and send cookie-authenticated writes. */
  allowedOrigins: readonly string[];
  security: RecordSecurityEvent;
  /** How long a dashboard login lasts (the cookie's Max-Age and the session row's expiry). */
  sessionTtlMs: number;
  /** Failed sign-ins and bad Bearer tokens per IP address (AUTH_FAILURES_MAX, AUTH_LOCKOUT_S). */
  lockout: AuthLockout;
}

/** An address locked out after repeated failures may not present credentials: 429 with Retry-After until the lock ends. */
export function refuseLockedOut(o: PeopleDeps, ip: string, reply: FastifyReply): void {
  const ms = o.lockout.lockedForMs(ip, Date.now());
  if (ms === 0) return;
  reply.header('retry-after', String(Math.ceil(ms / 1000)));
  throw new ApiError(429, 'LOCKED_OUT', 'too many failed sign-ins from this address; try again later');
}

/** Counts a failed sign-in or bad Bearer token toward the address's lockout; the lock itself is one security event. */
export function countFailure(o: PeopleDeps, ip: string): void {
  if (o.lockout.failed(ip, Date.now())) o.security('lockout', { ip, door: 'http' }, 'HTTP sign-ins from this address refused for a while after repeated failures');
}

type Identified = { ok: true; person: Person; by: 'bearer' | 'cookie' } | { ok: false; presented: 'token' | 'session' | undefined };

/** Who is calling: a Bearer token first, else the session cookie. */
export async function identify(access: Access, headers: IncomingHttpHeaders): Promise<Identified> {
  if (headers.authorization !== undefined) {
    const token = bearerOf(headers.authorization);
    const person = token === undefined ? undefined : await access.byToken(token);
    return person ? { ok: true, person, by: 'bearer' } : { ok: false, presented: 'token' };
  }
  const session = cookieValue(headers.cookie, SESSION_COOKIE);
  if (session === undefined || session === '') return { ok: false, presented: undefined };
  const person = await access.bySession(session);
  return person ? { ok: true, person, by: 'cookie' } : { ok: false, presented: 'session' };
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiRoute {
  method: string;
  url: string;
  permission: Permission | 'public';
}
const routesOf = new WeakMap<FastifyInstance, ApiRoute[]>();

/** Every /api route with what it needs: the test that tries each role on each write route walks this list. */
export const apiRoutes = (app: FastifyInstance): readonly ApiRoute[] => routesOf.get(app) ?? [];

/**
 * Every /api route names its permission (src/api/permission.ts) or is declared public (login); a route that
 * does neither stops the app from starting. Call before any /api route is registered.
 */
export function installAuth(app: FastifyInstance, o: PeopleDeps): void {
  const routes: ApiRoute[] = [];
  routesOf.set(app, routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    const permission = route.config?.permission ?? (route.config?.public ? 'public' : undefined);
    if (!permission) throw new Error(`${String(route.method)} ${route.url} declares no permission (config.permission)`);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, permission });
  });

  // Locks are forgotten once over, so the map holds only addresses that failed lately.
  const pruning = setInterval(() => o.lockout.prune(Date.now()), 60_000);
  pruning.unref();
  app.addHook('onClose', async () => clearInterval(pruning));

  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions;
    if (!route.url?.startsWith('/api') || route.config.public) return;
    const permission = route.config.permission;
    // onRoute refuses such a route; this line only keeps the check closed should that ever be bypassed.
    if (!permission) throw new ApiError(403, 'FORBIDDEN', 'this route declares no permission');
    // Bearer tokens can be guessed at like passwords; a signed-in dashboard (cookie) behind the same address keeps working.
    if (req.headers.authorization !== undefined) refuseLockedOut(o, req.ip, reply);
    const who = await identify(o.access, req.headers);
    const at = { ip: req.ip, method: req.method, route: route.url };
    if (!who.ok) {
      if (who.presented) o.security('auth_failure', { ...at, credential: who.presented }, 'an API request with an invalid credential was refused');
      if (who.presented === 'token') countFailure(o, req.ip);
      throw new ApiError(401, 'UNAUTHENTICATED', 'sign in: Authorization: Bearer <token>, or the session cookie from POST /api/session');
    }
    const person = who.person;
    if (who.by === 'cookie' && WRITES.has(req.method)) refuseForeignOrigin(req, o, { ...at, person: person.id });
    if (!allows(person.role, permission)) {
      o.security('acl_denied', { ...at, person: person.id, role: person.role, permission }, 'an API request without the permission was refused');
      throw new ApiError(403, 'FORBIDDEN', `role ${person.role} may not ${permission}`);
    }
    req.person = person;
  });

  // Rule settings decide which alarms are raised: a change to them is a security event like a role change.
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.config.permission !== 'rules:write' || !WRITES.has(req.method) || reply.statusCode >= 300) return;
    o.security('config_change', { person: req.person?.id, method: req.method, route: req.routeOptions.url, target: req.params }, 'rule settings were changed');
  });
}

/** The browser sent this write with the session cookie: only pages of this service (or allowed origins) may. */
export function refuseForeignOrigin(req: FastifyRequest, o: PeopleDeps, fields: Record<string, unknown>): void {
  const verdict = originVerdict({ origin: req.headers.origin, referer: req.headers.referer, host: req.headers.host }, o.allowedOrigins);
  if (verdict === 'same' || verdict === 'allowed') return;
  o.security('origin_refused', { ...fields, origin: req.headers.origin ?? null }, 'a cookie-authenticated write from another origin was refused');
  throw new ApiError(403, 'ORIGIN_REFUSED', 'a write with the session cookie must come from the dashboard (Origin header)');
}

/**
 * The WebSocket upgrade's check, before the 101: an Origin that is neither ours nor allowed gets 403, no valid
 * token or session 401. Scripts (no Origin header) authenticate with a Bearer token. Undefined: admitted.
 */
export function upgradeGate(o: PeopleDeps): (req: IncomingMessage) => Promise<401 | 403 | undefined> {
  return async (req) => {
    const at = { ip: req.socket.remoteAddress, route: '/ws' };
    if (originVerdict({ origin: req.headers.origin, host: req.headers.host }, o.allowedOrigins) === 'refused') {
      o.security('origin_refused', { ...at, origin: req.headers.origin }, 'a WebSocket upgrade from another origin was refused');
      return 403;
    }
    const who = await identify(o.access, req.headers);
    if (!who.ok) {
      if (who.presented) o.security('auth_failure', { ...at, credential: who.presented }, 'a WebSocket upgrade with an invalid credential was refused');
      return 401;
    }
    if (!allows(who.person.role, 'read')) return 403;
    return undefined;
  };
}
