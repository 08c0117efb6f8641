import type { Sql } from '../db/sql.js';
import type { NewToken, PeopleStore, TokenInfo, UserInfo, Verifiable } from './people.js';
import type { Role } from './roles.js';

// Any constant shared by every loadwatch node: two nodes starting on one empty database make one admin token.
const FIRST_ADMIN_LOCK = 4_207_312;

type Stamp = Date | string;
const iso = (t: Stamp) => new Date(t).toISOString();
const isoOrNull = (t: Stamp | null) => (t === null ? null : iso(t));

interface TokenRow { id: string; name: string; role: Role; created_by: string | null; created_at: Stamp; revoked_at: Stamp | null }
interface UserRow { username: string; role: Role; created_at: Stamp; updated_at: Stamp; disabled_at: Stamp | null }

const tokenInfo = (r: TokenRow): TokenInfo => ({
  id: r.id, name: r.name, role: r.role, createdBy: r.created_by, createdAt: iso(r.created_at), revokedAt: isoOrNull(r.revoked_at),
});
const userInfo = (r: UserRow): UserInfo => ({
  username: r.username, role: r.role, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at), disabledAt: isoOrNull(r.disabled_at),
});

const TOKEN_COLUMNS = 'id, name, role, created_by, created_at, revoked_at';
const USER_COLUMNS = 'username, role, created_at, updated_at, disabled_at';
const INSERT_TOKEN = `INSERT INTO api_tokens (id, name, role, secret_sha256, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${TOKEN_COLUMNS}`;
const tokenParams = (t: NewToken) => [t.id, t.name, t.role, t.secretSha256, t.createdBy];

export function createPeopleStorePg(sql: Sql): PeopleStore {
  return {
    async createToken(t) {
      return tokenInfo((await sql.query<TokenRow>(INSERT_TOKEN, tokenParams(t))).rows[0]);
    },
    createFirstAdminToken: (t) =>
      sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ADMIN_LOCK]);
        const live = await tx.query(`SELECT 1 FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1`);
        if (live.rows.length > 0) return false;
        await tx.query(INSERT_TOKEN, tokenParams(t));
        return true;
      }),
    async token(id) {
      const res = await sql.query<{ name: string; role: Role; secret_sha256: string }>('SELECT name, role, secret_sha256 FROM api_tokens WHERE id = $1 AND revoked_at IS NULL', [id]);
      const r = res.rows[0];
      return r && { secretSha256: r.secret_sha256, person: { id, name: r.name, role: r.role, via: 'token' } };
    },
    async listTokens() {
      return (await sql.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id`)).rows.map(tokenInfo);
    },
    revokeToken: (id) =>
      sql.transaction(async (tx) => {
        const res = await tx.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
        await tx.query('DELETE FROM sessions WHERE token_id = $1', [id]);
        return res.rowCount > 0;
      }),

    async createUser(u) {
      const res = await sql.query('INSERT INTO users (username, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (username) DO NOTHING', [u.username, u.role, u.passwordHash]);
      return res.rowCount > 0;
    },
    async updateUser(username, change) {
      const res = await sql.query<UserRow>(
        `UPDATE users SET role = COALESCE($2, role), password_hash = COALESCE($3, password_hash),
           disabled_at = CASE WHEN $4::boolean THEN NULL ELSE disabled_at END, updated_at = now()
         WHERE username = $1 RETURNING ${USER_COLUMNS}`,
        [username, change.role ?? null, change.passwordHash ?? null, change.enable ?? false],
      );
      return res.rows[0] && userInfo(res.rows[0]);
    },
    disableUser: (username) =>
      sql.transaction(async (tx) => {
        const res = await tx.query('UPDATE users SET disabled_at = now(), updated_at = now() WHERE username = $1 AND disabled_at IS NULL', [username]);
        await tx.query('DELETE FROM sessions WHERE username = $1', [username]);
        return res.rowCount > 0;
      }),
    async listUsers() {
      return (await sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`)).rows.map(userInfo);
    },
    async userForLogin(username) {
      const res = await sql.query<{ role: Role; password_hash: string }>('SELECT role, password_hash FROM users WHERE username = $1 AND disabled_at IS NULL', [username]);
      const r = res.rows[0];
      return r && { role: r.role, passwordHash: r.password_hash };
    },

    async createSession(s) {
      // Expired sessions go here rather than on a timer: logins are rare, and no node needs a sweeper.
      await sql.query('DELETE FROM sessions WHERE expires_at < now()');
      await sql.query('INSERT INTO sessions (id, secret_sha256, token_id, username, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        s.id, s.secretSha256, s.tokenId ?? null, s.username ?? null, s.expiresAt,
      ]);
    },
    async session(id): Promise<Verifiable | undefined> {
      const res = await sql.query<{ secret_sha256: string; person_id: string; name: string; role: Role }>(
        `SELECT s.secret_sha256, COALESCE(s.token_id, s.username) AS person_id, COALESCE(t.name, s.username) AS name, COALESCE(t.role, u.role) AS role
         FROM sessions s
         LEFT JOIN api_tokens t ON t.id = s.token_id AND t.revoked_at IS NULL
         LEFT JOIN users u ON u.username = s.username AND u.disabled_at IS NULL
         WHERE s.id = $1 AND s.expires_at > now() AND (t.id IS NOT NULL OR u.username IS NOT NULL)`,
        [id],
      );
      const r = res.rows[0];
      return r && { secretSha256: r.secret_sha256, person: { id: r.person_id, name: r.name, role: r.role, via: 'session' } };
    },
    async deleteSession(id) {
      await sql.query('DELETE FROM sessions WHERE id = $1', [id]);
    },
  };
}
