import type { Person, Role } from './roles.js';

/** An API token as listed: never its secret, which exists only in the one answer that issued it. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface UserInfo {
  username: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

export interface NewToken {
  id: string;
  name: string;
  role: Role;
  secretSha256: string;
  createdBy: string | null;
}

/** What the store knows to check a presented token or session: the digest to compare and who it is. */
export interface Verifiable {
  secretSha256: string;
  person: Person;
}

/** People over HTTP: the consumer (src/access/access.ts) owns this port; people.pg.ts implements it. */
export interface PeopleStore {
  createToken(t: NewToken): Promise<TokenInfo>;
  /**
   * Creates the token only while no live admin token exists, serialised across every process on the database;
   * false when one exists (another node may have just made it).
   */
  createFirstAdminToken(t: NewToken): Promise<boolean>;
  /** A live (not revoked) token. */
  token(id: string): Promise<Verifiable | undefined>;
  listTokens(): Promise<TokenInfo[]>;
  /** False when there is no such live token. Its sessions end with it. */
  revokeToken(id: string): Promise<boolean>;

  /** False when the username is taken. */
  createUser(u: { username: string; role: Role; passwordHash: string }): Promise<boolean>;
  /** Changes the fields given; false when there is no such user. Re-enables a disabled user when enable is set. */
  updateUser(username: string, change: { role?: Role; passwordHash?: string; enable?: boolean }): Promise<UserInfo | undefined>;
  /** False when there is no such enabled user. Its sessions end. */
  disableUser(username: string): Promise<boolean>;
  listUsers(): Promise<UserInfo[]>;
  /** An enabled user's role and password hash, for login. */
  userForLogin(username: string): Promise<{ role: Role; passwordHash: string } | undefined>;

  createSession(s: { id: string; secretSha256: string; tokenId?: string; username?: string; expiresAt: Date }): Promise<void>;
  /** A session that has not expired and whose token or user is still live; the person's role is the current one. */
  session(id: string): Promise<Verifiable | undefined>;
  deleteSession(id: string): Promise<void>;
}
