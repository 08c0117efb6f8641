import type { Permission, Person } from '../access/roles.js';

/**
 * Every /api route declares what it needs in its options, `config: { permission: 'alarms:write' }`; the auth
 * plugin (src/api/auth.ts) checks it before the handler and refuses to start with an /api route that declares
 * nothing. `request.person` is who is calling (set by that plugin on /api routes).
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
    /** Reachable without signing in: only the login and logout routes (/api/session) declare this. */
    public?: true;
  }
  interface FastifyRequest {
    person?: Person;
  }
}

export type { Permission, Person };
