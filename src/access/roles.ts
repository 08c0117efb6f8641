/**
 * Who may do what over HTTP and WebSocket. Every /api route names one permission (src/api/permission.ts);
 * a route that names none is refused at start, so a new route cannot be open by mistake.
 */
export const ROLES = ['admin', 'dispatcher', 'viewer', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  /** Read the archive, telemetry, alarms, overview, rule settings. */
  | 'read'
  /** Acknowledge and clear alarms. */
  | 'alarms:write'
  /** Import and edit the customer archive. */
  | 'archive:write'
  /** Change rule profiles and overrides. */
  | 'rules:write'
  /** Issue, rotate and revoke device and MQTT-subscriber credentials. */
  | 'credentials:write'
  /** Create and delete webhook subscriptions: an integrator only its own (the route checks ownership). */
  | 'subscriptions:write'
  /** API tokens and users. */
  | 'access:write';

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(['read', 'alarms:write', 'archive:write', 'rules:write', 'credentials:write', 'subscriptions:write', 'access:write']),
  dispatcher: new Set(['read', 'alarms:write']),
  viewer: new Set(['read']),
  integrator: new Set(['read', 'archive:write', 'subscriptions:write']),
};

export function allows(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Someone signed in over HTTP: by API token or by a dashboard session (user login or token login). */
export interface Person {
  /** Token id or username: what audit lines and ownership (an integrator's subscriptions) refer to. */
  id: string;
  /** What a person reads in the dashboard's header: the token's name or the username. */
  name: string;
  role: Role;
  via: 'token' | 'session';
}

/**
 * The actor an audit line records: who the credential says is calling, never a name from the request body
 * (anyone could type someone else's). The role is kept beside the id, as it was when the change was made.
 */
export function actorOf(person: Pick<Person, 'id' | 'role'>): string {
  return `${person.id} (${person.role})`;
}
