import { afterEach, describe, expect, it } from 'vitest';
import { DB_FLAVOURS } from '../../../test/support/db.js';
import { loadOverrides } from '../../rules/overrides.pg.js';
import { loadSettings } from '../../rules/settings.pg.js';
import { effectiveSettings } from '../../rules/settings.js';
import pino from 'pino';
import { openTestApp, type TestApp } from './app.fixture.js';

describe.each(DB_FLAVOURS)('rule profile routes on %s', (flavour) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const call = async (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json() };
  };

  it('lists every class and one class', async () => {
    t = await openTestApp(flavour);
    const all = await call('GET', '/api/rule-profiles');
    expect(Object.keys(all.body.profiles).sort()).toEqual(['DEDICATED', 'DH_GROWTH', 'DH_KEY', 'KEY', 'LV_NONRES', 'RESIDENTIAL', 'TOP100']);
    const key = await call('GET', '/api/rule-profiles/KEY');
    expect(key.body.rules.O1).toMatchObject({ enabled: true, tiers: [{ thresholdPct: 80 }, { thresholdPct: 100 }, { thresholdPct: 120 }] });
    expect((await call('GET', '/api/rule-profiles/NOPE')).status).toBe(400);
  });

  it.each<[string, unknown, string]>([
    ['tiers out of order', { O1: { tiers: [{ severity: 'MAJOR', thresholdPct: 120, sustainPoints: 2 }, { severity: 'CRITICAL', thresholdPct: 100, sustainPoints: 1 }] } }, 'O1.tiers[1].thresholdPct'],
    ['sustain 0', { V1: { tiers: [{ severity: 'MINOR', sustainPoints: 0 }] } }, 'V1.tiers[0].sustainPoints'],
    ['unknown severity', { V1: { tiers: [{ severity: 'BAD', sustainPoints: 1 }] } }, 'V1.tiers[0].severity'],
    ['band upside down', { V2: { band: { upperPct: 70, lowerPct: 90 } } }, 'V2.band.upperPct'],
    ['recovery above 1', { O1: { recovery: { up: 1.2 } } }, 'O1.recovery.up'],
    ['a typo', { O1: { treshold: 5 } }, 'O1.treshold'],
    ['an unknown rule', { X9: { enabled: false } }, 'X9'],
    ['tiers not a list', { O1: { tiers: 'high' } }, 'O1.tiers'],
  ])('refuses %s with 400 naming the field', async (_name, rules, field) => {
    t = await openTestApp(flavour);
    const before = await call('GET', '/api/rule-profiles/KEY');
    const res = await call('PUT', '/api/rule-profiles/KEY', { by: 'planner', rules });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('INVALID_RULE_SETTINGS');
    expect(res.body.errors.some((e: string) => e.startsWith(field))).toBe(true);
    expect(res.body.message).toContain(field);
    expect((await call('GET', '/api/rule-profiles/KEY')).body).toEqual(before.body);
    expect(t.invalidations.count).toBe(0);
  });

  const adminActor = async () => `${(await call('GET', '/api/session')).body.id} (admin)`;

  it('changes, disables and audits class settings (the actor from the credential, not the body), and tells the engine at once', async () => {
    t = await openTestApp(flavour);
    const tiers = [{ severity: 'MINOR', thresholdPct: 90, sustainPoints: 3 }, { severity: 'MAJOR', thresholdPct: 110, sustainPoints: 1 }];
    const res = await call('PUT', '/api/rule-profiles/DEDICATED', { by: 'planner-1', rules: { O1: { tiers }, V1: { enabled: false } } });
    expect(res.status).toBe(200);
    expect(res.body.rules.O1.tiers).toEqual(tiers);
    expect(res.body.rules.V1.enabled).toBe(false);
    expect(res.body.rules.O1.clearPoints).toBe(2);
    expect(t.invalidations.count).toBe(1);
    const stored = await loadSettings(t.db.sql, pino({ level: 'silent' }));
    expect(effectiveSettings(['DEDICATED'], 'V1', stored)).toBeUndefined();
    expect(effectiveSettings(['DEDICATED'], 'O1', stored)?.tiers.map((x) => x.thresholdPct)).toEqual([90, 110]);

    const audit = await call('GET', '/api/rule-profiles/audit?scope=class');
    expect(audit.body.items.map((e: { actor: string; target: string; rule: string }) => `${e.actor} ${e.target} ${e.rule}`).sort()).toEqual([
      `${await adminActor()} DEDICATED O1`, `${await adminActor()} DEDICATED V1`,
    ]);
    const o1 = audit.body.items.find((e: { rule: string }) => e.rule === 'O1');
    expect(o1.before.tiers.map((x: { thresholdPct: number }) => x.thresholdPct)).toEqual([100, 120]);
    expect(o1.after.tiers).toEqual(tiers);
    expect(Date.parse(o1.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('sets, reads and removes per-customer overrides that beat the class setting, with an audit', async () => {
    t = await openTestApp(flavour);
    const put = await call('PUT', '/api/customers/c1/rule-overrides', {
      by: 'manager-li', rules: { O1: { tiers: [{ severity: 'CRITICAL', thresholdPct: 95, sustainPoints: 1 }] }, V2: { enabled: false } },
    });
    expect(put.status).toBe(200);
    expect(put.body.rules).toEqual({ O1: { tiers: [{ severity: 'CRITICAL', thresholdPct: 95, sustainPoints: 1 }] }, V2: { enabled: false } });
    expect(t.invalidations.count).toBe(1);

    // What the engine reads for its next evaluation: the override replaces the DEDICATED tiers and disables V2.
    const overrides = (await loadOverrides(t.db.sql, ['c1', 'c2'])).get('c1');
    const stored = await loadSettings(t.db.sql, pino({ level: 'silent' }));
    expect(effectiveSettings(['DEDICATED'], 'O1', stored, overrides?.O1)?.tiers).toEqual([{ severity: 'CRITICAL', thresholdPct: 95, sustainPoints: 1 }]);
    expect(effectiveSettings(['DEDICATED'], 'V2', stored, overrides?.V2)).toBeUndefined();
    expect(effectiveSettings(['DEDICATED'], 'V2', stored)).toBeDefined();
    expect((await loadOverrides(t.db.sql, ['c2'])).size).toBe(0);

    const bad = await call('PUT', '/api/customers/c1/rule-overrides', { by: 'x', rules: { O1: { clearPoints: 0 } } });
    expect(bad).toMatchObject({ status: 400, body: { error: 'INVALID_RULE_SETTINGS', errors: ['O1.clearPoints must be an integer of at least 1'] } });
    expect((await call('PUT', '/api/customers/nobody/rule-overrides', { by: 'x', rules: {} })).status).toBe(404);
    expect((await call('GET', '/api/customers/nobody/rule-overrides')).status).toBe(404);

    const del = await call('DELETE', '/api/customers/c1/rule-overrides?rule=V2&by=manager-li');
    expect(del.body.removed).toEqual(['V2']);
    expect((await call('GET', '/api/customers/c1/rule-overrides')).body.rules).toEqual({ O1: put.body.rules.O1 });
    expect((await call('DELETE', '/api/customers/c1/rule-overrides?by=manager-li')).body.removed).toEqual(['O1']);
    expect((await call('DELETE', '/api/customers/c1/rule-overrides?rule=Q7&by=x')).status).toBe(400);

    const audit = await call('GET', '/api/rule-profiles/audit?scope=customer&target=c1');
    expect(audit.body.items.map((e: { action: string; rule: string }) => `${e.action} ${e.rule}`)).toEqual(['delete O1', 'delete V2', 'update V2', 'update O1']);
    expect(new Set(audit.body.items.map((e: { actor: string }) => e.actor))).toEqual(new Set([await adminActor()]));
    const page = await call('GET', '/api/rule-profiles/audit?scope=customer&limit=2');
    expect(page.body.items).toHaveLength(2);
    const rest = await call('GET', `/api/rule-profiles/audit?scope=customer&limit=2&before=${page.body.next}`);
    expect(rest.body.items.map((e: { action: string; rule: string }) => `${e.action} ${e.rule}`)).toEqual(['update V2', 'update O1']);
  });

  it('pages the audit newest first past ten entries', async () => {
    t = await openTestApp(flavour);
    for (let i = 0; i < 12; i++) {
      const put = await call('PUT', '/api/customers/c1/rule-overrides', { by: 'x', rules: { O1: { tiers: [{ severity: 'CRITICAL', thresholdPct: 80 + i, sustainPoints: 1 }] } } });
      expect(put.status).toBe(200);
    }
    const seen: number[] = [];
    let before = '';
    for (let page = 0; page < 5; page++) {
      const res = await call('GET', `/api/rule-profiles/audit?scope=customer&target=c1&limit=5${before}`);
      seen.push(...res.body.items.map((e: { after: { tiers: { thresholdPct: number }[] } }) => e.after.tiers[0].thresholdPct));
      if (!res.body.next) break;
      before = `&before=${res.body.next}`;
    }
    expect(seen).toEqual([91, 90, 89, 88, 87, 86, 85, 84, 83, 82, 81, 80]);
  });
});
