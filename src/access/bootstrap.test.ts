import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { createAccess } from './access.js';
import { ADMIN_TOKEN_FILE, bootstrapAdminToken } from './bootstrap.js';
import { createPeopleStorePg } from './people.pg.js';

describe.each(DB_FLAVOURS)('admin token bootstrap on %s', (flavour) => {
  let db: TestDatabase;
  const dirs: string[] = [];
  afterEach(async () => {
    await db?.drop();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const dir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'lw-boot-'));
    dirs.push(d);
    return d;
  };

  it('makes one admin token, writes it 0600, and makes none while it lives', async () => {
    db = await openTestDatabase(flavour);
    const access = createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 60_000 });
    const data = await dir();
    await writeFile(join(data, ADMIN_TOKEN_FILE), 'stale\n');
    const made = await bootstrapAdminToken(access, data);
    expect(made?.token).toMatch(/^lw_[0-9a-f]{16}_[\w-]{43}$/);
    expect(await readFile(join(data, ADMIN_TOKEN_FILE), 'utf8')).toBe(`${made!.token}\n`);
    expect((await stat(join(data, ADMIN_TOKEN_FILE))).mode & 0o777).toBe(0o600);
    expect(await access.byToken(made!.token)).toMatchObject({ role: 'admin', via: 'token' });

    expect(await bootstrapAdminToken(access, await dir())).toBeUndefined();
    const id = made!.token.slice(3, 19);
    expect(await access.revokeToken(id)).toBe(true);
    expect(await access.byToken(made!.token)).toBeUndefined();
    // Every admin token revoked: the next start makes a new one (the way back in).
    expect(await bootstrapAdminToken(access, data)).toBeDefined();
  });

  it('revokes the token it could not write down, so the next start makes another', async () => {
    db = await openTestDatabase(flavour);
    const access = createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 60_000 });
    await expect(bootstrapAdminToken(access, join(await dir(), 'missing'))).rejects.toThrow('ENOENT');
    expect((await access.listTokens()).filter((t) => t.revokedAt === null)).toEqual([]);
    expect(await bootstrapAdminToken(access, await dir())).toBeDefined();
  });

  it('makes exactly one when several nodes start on one database at once', async () => {
    db = await openTestDatabase(flavour);
    const nodes = Array.from({ length: 4 }, () => createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 60_000 }));
    const made = await Promise.all(nodes.map(async (a) => bootstrapAdminToken(a, await dir())));
    expect(made.filter(Boolean)).toHaveLength(1);
    expect((await nodes[0].listTokens()).filter((t) => t.role === 'admin')).toHaveLength(1);
  });
});
