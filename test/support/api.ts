import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The admin token the service wrote at its first start on this database (DATA_DIR/admin-token, mode 0600). */
export function readAdminToken(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch (err) {
    throw new Error(`no admin token in ${dataDir}: the service writes it only when its database had no live admin token (${(err as Error).message})`);
  }
}

/** A running service as the tests' API helpers take it: TestService and ChildService both are one. */
export interface Target {
  base: string;
  token: string;
}

export type Api = (path: string, init?: RequestInit) => Promise<Response>;

/** fetch against the service with `Authorization: Bearer <token>`; the token is read when a request is made. */
export function authedApi(base: string, token: () => string): Api {
  return (path, init = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token()}`, ...(init.headers as Record<string, string> | undefined) } });
}
