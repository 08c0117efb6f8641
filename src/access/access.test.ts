import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { createAccess } from './access.js';
import { createPeopleStorePg } from './people.pg.js';

describe.each(DB_FLAVOURS)('access across nodes on %s', (flavour) => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('a token revoked on one node is refused by another once its short cache has passed', async () => {
    db = await openTestDatabase(flavour);
    let nowMs = Date.now();
    const cacheMs = 3_000;
    const here = createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 60_000, cacheMs });
    const there = createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 60_000, cacheMs, clock: () => nowMs });
    const { token, info } = await here.issueToken({ name: 'ops', role: 'dispatcher', createdBy: 'test' });
    const session = (await there.login({ token }))!.session;
    expect(await there.byToken(token)).toEqual({ id: info.id, name: 'ops', role: 'dispatcher', via: 'token' });
    expect(await there.bySession(session)).toEqual({ id: info.id, name: 'ops', role: 'dispatcher', via: 'session' });

    await here.revokeToken(info.id);
    nowMs += cacheMs + 1;
    expect(await there.byToken(token)).toBeUndefined();
    expect(await there.bySession(session)).toBeUndefined();
    expect(await here.byToken(token)).toBeUndefined();
  });

  it('a session expires after its lifetime', async () => {
    db = await openTestDatabase(flavour);
    let nowMs = Date.now();
    const access = createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 60_000, cacheMs: 0, clock: () => nowMs });
    const { token } = await access.issueToken({ name: 'ops', role: 'viewer', createdBy: 'test' });
    nowMs -= 61_000; // made a minute and a second ago: expired by the database's clock
    const session = (await access.login({ token }))!.session;
    expect(await access.bySession(session)).toBeUndefined();
  });

  it.each([
    ['a session id with a wrong secret', (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A')],
    ['a token text as a session', (_s: string, t: string) => t],
    ['an empty string', () => ''],
  ])('refuses %s', async (_name, forge) => {
    db = await openTestDatabase(flavour);
    const access = createAccess({ store: createPeopleStorePg(db.sql), sessionTtlMs: 60_000 });
    const { token } = await access.issueToken({ name: 'ops', role: 'viewer', createdBy: 'test' });
    const session = (await access.login({ token }))!.session;
    expect(await access.bySession(forge(session, token))).toBeUndefined();
  });
});
