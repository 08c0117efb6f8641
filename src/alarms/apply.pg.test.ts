import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FLAVOURS, openTestDatabase, type TestDatabase } from '../../test/support/db.js';
import { prng } from '../../test/support/load-publisher.js';
import type { MeterContext } from '../domain/archive.js';
import type { Transition } from '../rules/transition.js';
import { createAlarmStorePg } from './store.pg.js';
import type { AlarmChange, AlarmStore, StoredAlarm } from './store.js';

const T0 = Date.UTC(2025, 0, 6);
const Q = 15 * 60_000;
const SEED = 20261207;
const RUNS = 30;

function context(meterId: string): MeterContext {
  return {
    meter: { id: meterId, customerId: 'c1', concentratorId: null, wiring: '3P4W', nominalVoltageV: 380, ratedCurrentA: null, ctRatio: 1, ptRatio: 1, valuesSide: 'primary' },
    customer: { id: 'c1', name: 'c1', classes: ['KEY'], address: '', phone: '', accountManager: '', contractKva: 1000, pfStandard: null, lat: null, lon: null },
  };
}

/** Three alarm keys of one run, as the rule engine would name them: two phases of a meter and a concentrator. */
const keysOf = (prefix: string) => [
  { meterId: `${prefix}-m`, rule: 'V1', phase: 'A' },
  { meterId: `${prefix}-m`, rule: 'V1', phase: 'B' },
  { meterId: '', originator: `concentrator:${prefix}`, rule: 'C1', phase: '' },
] as const;

type Step = { key: number; kind: Transition['kind']; severity: Transition['severity']; startQ: number; atQ: number };

/**
 * A rule engine's transitions for three keys in chunks (one evaluation each): raise, updates, severity changes and
 * clears in order, a chunk now and then replayed (a journal replay after a crash), and between chunks a manual
 * clear now and then.
 */
function scenario(random: () => number): { chunks: Step[][]; manualClears: (number | undefined)[] } {
  const open: (number | undefined)[] = [undefined, undefined, undefined];
  let q = 0;
  const chunks: Step[][] = [];
  const manualClears: (number | undefined)[] = [];
  for (let c = 0; c < 8; c++) {
    if (c > 0 && random() < 0.15) {
      chunks.push(chunks[c - 1]);
    } else {
      const chunk: Step[] = [];
      for (let n = 1 + Math.floor(random() * 6); n > 0; n--) {
        const key = Math.floor(random() * 3);
        q++;
        const start = open[key];
        if (start === undefined) {
          open[key] = q;
          chunk.push({ key, kind: 'raise', severity: 'MINOR', startQ: q, atQ: q });
          continue;
        }
        const r = random();
        const kind = r < 0.3 ? 'clear' : r < 0.5 ? 'escalate' : r < 0.6 ? 'deescalate' : 'update';
        chunk.push({ key, kind, severity: kind === 'escalate' ? 'MAJOR' : 'MINOR', startQ: start, atQ: q });
        if (kind === 'clear') open[key] = undefined;
      }
      chunks.push(chunk);
    }
    manualClears.push(random() < 0.2 ? Math.floor(random() * 2) : undefined);
  }
  return { chunks, manualClears };
}

function transition(prefix: string, s: Step): Transition {
  const k = keysOf(prefix)[s.key];
  const value = 240 + s.atQ;
  return {
    kind: s.kind, meterId: k.meterId, ...('originator' in k ? { originator: k.originator } : {}), rule: k.rule as Transition['rule'], phase: k.phase,
    severity: s.severity, startTsMs: T0 + s.startQ * Q, lastTsMs: T0 + s.atQ * Q, atTsMs: T0 + s.atQ * Q, value, peakValue: value,
    threshold: s.severity === 'MAJOR' ? 250 : 234.75, details: { direction: 'over' },
  };
}

/** What a dispatcher sees of an alarm, without what differs between two runs: ids, names, a manual clear's time. */
function seen(a: StoredAlarm) {
  const { id: _id, meterId: _m, originator: _o, ...rest } = a;
  return a.manualClear ? { ...rest, clearTs: 'by hand' } : rest;
}

describe.each(DB_FLAVOURS)('rule transitions applied together on %s', (flavour) => {
  let db: TestDatabase;
  let store: AlarmStore;
  beforeAll(async () => {
    db = await openTestDatabase(flavour);
    await db.sql.query(`INSERT INTO customers (id, name, classes) VALUES ('c1', 'c1', '{KEY}')`);
    store = createAlarmStorePg(db.sql);
  });
  afterAll(async () => db?.drop());

  async function history(prefix: string) {
    const alarms = [];
    for (const k of keysOf(prefix)) {
      const all = await store.list({ state: 'all', meterId: k.meterId, rule: k.rule, limit: 1000 });
      const list = all.filter((a) => (a.originator ?? '') === ('originator' in k ? k.originator : '') && a.phase === k.phase);
      for (const a of list) alarms.push({ alarm: seen(a), events: (await store.history(a.id))?.map((e) => ({ type: e.type, actor: e.actor, detail: e.detail })) });
    }
    return alarms;
  }

  async function manualClear(prefix: string, key: number) {
    const k = keysOf(prefix)[key];
    const [open] = (await store.list({ meterId: k.meterId, rule: k.rule })).filter((a) => a.phase === k.phase);
    if (open) await store.clear(open.id, 'dispatcher-7', 'checked on site');
  }

  it(`gives what applying them one at a time gives (${RUNS} generated runs, seed ${SEED})`, async () => {
    const random = prng(SEED);
    for (let run = 0; run < RUNS; run++) {
      const { chunks, manualClears } = scenario(random);
      const together = `t${run}`;
      const oneByOne = `o${run}`;
      const contexts = new Map([together, oneByOne].map((p) => [`${p}-m`, context(`${p}-m`)]));
      const changes: Record<string, AlarmChange[]> = { [together]: [], [oneByOne]: [] };
      for (let c = 0; c < chunks.length; c++) {
        changes[together].push(...(await store.apply(chunks[c].map((s) => transition(together, s)), contexts)));
        for (const s of chunks[c]) changes[oneByOne].push(...(await store.apply([transition(oneByOne, s)], contexts)));
        const key = manualClears[c];
        if (key !== undefined) for (const p of [together, oneByOne]) await manualClear(p, key);
      }
      const label = `run ${run}: ${JSON.stringify(chunks)}`;
      expect(changes[together].map((c) => [c.change, seen(c.alarm)]), label).toEqual(changes[oneByOne].map((c) => [c.change, seen(c.alarm)]));
      expect(await history(together), label).toEqual(await history(oneByOne));
    }
  });
});

// Two connections: the embedded PGlite has one, so this race exists only on the server.
describe('rule transitions racing another writer on postgres', () => {
  it('applies what follows a raise to the alarm another worker opened first', async () => {
    const db = await openTestDatabase('postgres');
    try {
      await db.sql.query(`INSERT INTO customers (id, name, classes) VALUES ('c1', 'c1', '{KEY}')`);
      const contexts = new Map([['r-m', context('r-m')]]);
      const [raise, update] = [{ key: 0, kind: 'raise', startQ: 0, atQ: 0 }, { key: 0, kind: 'update', startQ: 0, atQ: 2 }].map((s) =>
        transition('r', { ...s, severity: 'MINOR' } as Step),
      );
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let opened = () => {};
      const isOpen = new Promise<void>((resolve) => (opened = resolve));
      const other = db.sql.transaction(async (tx) => {
        await createAlarmStorePg(tx).apply([raise], contexts);
        opened();
        await held;
      });
      await isOpen;
      const mine = createAlarmStorePg(db.sql).apply([raise, update], contexts);
      // Long enough for this batch's insert to wait on the other's uncommitted alarm.
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await other;
      expect((await mine).map((c) => [c.change, c.alarm.lastTs])).toEqual([['updated', new Date(T0 + 2 * Q).toISOString()]]);
      const [alarm, ...more] = await createAlarmStorePg(db.sql).list({ state: 'all' });
      expect(more).toEqual([]);
      expect((await createAlarmStorePg(db.sql).history(alarm.id))?.map((e) => e.type)).toEqual(['created', 'updated']);
    } finally {
      await db.drop();
    }
  });
});
