import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Access } from './access.js';
import { parseCredential } from './credential.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * A fresh installation must be usable without a manual step: with no live admin token in the database, make
 * one, write it to DATA_DIR/admin-token (0600: only the service's user reads it) and return it, for the caller
 * to show once. Undefined when an admin token exists; nodes sharing the database make only one between them.
 */
export async function bootstrapAdminToken(access: Pick<Access, 'issueFirstAdminToken' | 'revokeToken'>, dataDir: string): Promise<{ token: string; file: string } | undefined> {
  const token = await access.issueFirstAdminToken();
  if (!token) return undefined;
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  const partial = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(partial, `${token}\n`, { mode: 0o600 });
    // The mode given to writeFile is filtered by the umask; the file must not be readable by others either way.
    await chmod(partial, 0o600);
    await rename(partial, file);
  } catch (err) {
    // A token nobody can read would stop the next start from making one: revoke it, and the next start tries again.
    await access.revokeToken(parseCredential('token', token)!.id);
    throw err;
  }
  return { token, file };
}
