import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatCredential, parseCredential, type CredentialKind } from './credential.js';
import type { PeopleStore, TokenInfo, UserInfo, Verifiable } from './people.js';
import type { Person, Role } from './roles.js';
import { hashSecret, newSecret, verifySecret } from './secret-hash.js';

/**
 * Tokens, passwords and sessions of people. A token or session secret is 256 random bits, so its SHA-256 is
 * enough to store and is fast to check on every request; passwords are chosen by people and get scrypt.
 */
export interface Access {
  byToken(text: string): Promise<Person | undefined>;
  bySession(text: string): Promise<Person | undefined>;
  /** The token text is in this answer only. */
  issueToken(t: { name: string; role: Role; createdBy: string }): Promise<{ token: string; info: TokenInfo }>;
  /** Undefined when a live admin token exists already (on any node); else the new token's text. */
  issueFirstAdminToken(): Promise<string | undefined>;
  revokeToken(id: string): Promise<boolean>;
  listTokens(): Promise<TokenInfo[]>;
  createUser(u: { username: string; role: Role; password: string }): Promise<boolean>;
  updateUser(username: string, change: { role?: Role; password?: string; enable?: boolean }): Promise<UserInfo | undefined>;
  disableUser(username: string): Promise<boolean>;
  listUsers(): Promise<UserInfo[]>;
  /** A new session for a valid token or username and password: the cookie value and who it is. */
  login(c: { token: string } | { username: string; password: string }): Promise<{ session: string; person: Person } | undefined>;
  logout(session: string): Promise<void>;
}

export interface AccessOptions {
  store: PeopleStore;
  sessionTtlMs: number;
  /**
   * How long a verified token or session is trusted without asking the database. A revocation made on another
   * node holds here within this time; one made on this node at once (the cache is dropped).
   */
  cacheMs?: number;
  clock?: () => number;
}

const CACHE_MAX = 10_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const newId = () => randomBytes(8).toString('hex');

function matches(secret: string, row: Verifiable | undefined): Person | undefined {
  if (!row) return undefined;
  const presented = Buffer.from(sha256(secret), 'hex');
  const stored = Buffer.from(row.secretSha256, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored) ? row.person : undefined;
}

export function createAccess(o: AccessOptions): Access {
  const { store } = o;
  const clock = o.clock ?? Date.now;
  const cacheMs = o.cacheMs ?? 3_000;
  // Keyed by the digest of the kind and the whole presented text: the cache never holds a secret, and a token's
  // entry never answers for a session cookie.
  const keyOf = (kind: CredentialKind, text: string) => sha256(`${kind}:${text}`);
  const cache = new Map<string, { person: Person; untilMs: number }>();
  // An unknown username costs one scrypt too, so its answer takes as long as a wrong password's.
  let decoy: Promise<string> | undefined;

  async function verify(kind: CredentialKind, text: string): Promise<Person | undefined> {
    const key = keyOf(kind, text);
    const hit = cache.get(key);
    if (hit && hit.untilMs > clock()) return hit.person;
    const c = parseCredential(kind, text);
    if (!c) return undefined;
    const person = matches(c.secret, await (kind === 'token' ? store.token(c.id) : store.session(c.id)));
    if (person) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(key, { person, untilMs: clock() + cacheMs });
    }
    return person;
  }

  function newToken(role: Role, name: string, createdBy: string | null) {
    const c = { id: newId(), secret: newSecret() };
    return { text: formatCredential('token', c), row: { id: c.id, name, role, secretSha256: sha256(c.secret), createdBy } };
  }

  async function openSession(person: Person, owner: { tokenId?: string; username?: string }) {
    const c = { id: newId(), secret: newSecret() };
    await store.createSession({ id: c.id, secretSha256: sha256(c.secret), ...owner, expiresAt: new Date(clock() + o.sessionTtlMs) });
    return { session: formatCredential('session', c), person: { ...person, via: 'session' as const } };
  }

  return {
    byToken: (text) => verify('token', text),
    bySession: (text) => verify('session', text),
    async issueToken({ name, role, createdBy }) {
      const t = newToken(role, name, createdBy);
      return { token: t.text, info: await store.createToken(t.row) };
    },
    async issueFirstAdminToken() {
      const t = newToken('admin', 'bootstrap admin', null);
      return (await store.createFirstAdminToken(t.row)) ? t.text : undefined;
    },
    async revokeToken(id) {
      cache.clear();
      return store.revokeToken(id);
    },
    listTokens: () => store.listTokens(),
    async createUser({ username, role, password }) {
      return store.createUser({ username, role, passwordHash: await hashSecret(password) });
    },
    async updateUser(username, { role, password, enable }) {
      cache.clear();
      return store.updateUser(username, { role, enable, passwordHash: password === undefined ? undefined : await hashSecret(password) });
    },
    async disableUser(username) {
      cache.clear();
      return store.disableUser(username);
    },
    listUsers: () => store.listUsers(),
    async login(c) {
      if ('token' in c) {
        const person = await verify('token', c.token);
        return person && openSession(person, { tokenId: person.id });
      }
      const user = await store.userForLogin(c.username);
      const stored = user?.passwordHash ?? (await (decoy ??= hashSecret(newSecret())));
      const ok = await verifySecret(c.password, stored);
      if (!user || !ok) return undefined;
      return openSession({ id: c.username, name: c.username, role: user.role, via: 'session' }, { username: c.username });
    },
    async logout(session) {
      cache.delete(keyOf('session', session));
      const c = parseCredential('session', session);
      if (c && matches(c.secret, await store.session(c.id))) await store.deleteSession(c.id);
    },
  };
}
