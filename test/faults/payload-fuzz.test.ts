import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { QUARTER_MS } from '../support/load-publisher.js';
import { startTestService, type TestService } from '../support/service.js';
import { FAULT_LONG, importArchive, scrape, sleep, storedLoad, total } from './support.js';

// Issue #8 test 8: 10,000 messages in CI, 1,000,000 with FAULT_LONG=1; FUZZ_MESSAGES sets any other count.
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? (FAULT_LONG ? 1_000_000 : 10_000));
/** Messages generated and published at a time, so memory and the broker's in-flight window stay bounded. */
const CHUNK = 2_000;
/** Quarter-hours per good meter; enough meters that even an all-good run never puts two samples on one (meter, ts). */
const QUARTERS = 1_000;
/** Good samples go to these meters only, so a mutated message can never overwrite one. */
const GOOD = Array.from({ length: Math.max(5, Math.ceil(MESSAGES / QUARTERS)) }, (_, i) => `FZG${String(i + 1).padStart(4, '0')}`);
const MUTATED = ['FZM001', 'FZM002', 'FZM003'];

type Message = { kind: 'good' | 'hostile'; topic: string; payload: Buffer };

/** The good sample number `step`: meter and quarter-hour follow from the step, so none collides with another. */
function goodSample(step: number, lastQuarterMs: number): { topic: string; ts: number; p: number } {
  return { topic: `meters/${GOOD[step % GOOD.length]}/load`, ts: lastQuarterMs - Math.floor(step / GOOD.length) * QUARTER_MS, p: step + 0.25 };
}

/**
 * One chunk of generated messages (well-formed samples, mutated ones, random JSON, random bytes, odd topics);
 * chunk i draws from seed + i, so a run repeats from its seed. firstGood numbers the chunk's good samples.
 */
function messages(seed: number, count: number, lastQuarterMs: number, firstGood: number): Message[] {
  const sampleJson = (ts: number, p: number) => JSON.stringify({ ts, p });
  const mutation = fc.tuple(fc.nat(), fc.constantFrom('', '"', '{', '}', ',', ':', '-', 'e', '9', 'null', 'NaN', '\u0000', '\uFFFF', '[', ' '));
  const hostile: fc.Arbitrary<Omit<Message, 'kind'>> = fc.oneof(
    fc.record({ meter: fc.constantFrom(...MUTATED), step: fc.nat(500), cuts: fc.array(mutation, { minLength: 1, maxLength: 4 }) }).map(({ meter, step, cuts }) => {
      let text = sampleJson(lastQuarterMs - step * QUARTER_MS, step + 0.5);
      for (const [at, insert] of cuts) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + insert + text.slice(i + 1);
      }
      return { topic: `meters/${meter}/load`, payload: Buffer.from(text) };
    }),
    fc.record({ meter: fc.constantFrom(...MUTATED), body: fc.json() }).map(({ meter, body }) => ({ topic: `meters/${meter}/load`, payload: Buffer.from(body) })),
    fc.record({
      meter: fc.constantFrom(...MUTATED),
      ts: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null), fc.constant(lastQuarterMs + 86_400_000), fc.constant(1)),
      p: fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.constant(1e308), fc.boolean()),
    }).map(({ meter, ts, p }) => ({ topic: `meters/${meter}/load`, payload: Buffer.from(JSON.stringify({ ts, p })) })),
    fc.record({ meter: fc.constantFrom(...MUTATED), bytes: fc.uint8Array({ maxLength: 300 }) }).map(({ meter, bytes }) => ({ topic: `meters/${meter}/load`, payload: Buffer.from(bytes) })),
    // Odd topics the broker lets an anonymous client publish (meters/{id}/... and concentrators/{id}/...), so they
    // reach ingest; the others ('foo', 'meters//load') are refused by the broker's ACL and tested with it.
    fc.record({ topic: fc.constantFrom('meters/UNKNOWN9/load', 'meters/FZM001/nonsense', 'meters/FZM001/load/extra', 'concentrators/NOPE/status', 'concentrators/NOPE/load'), body: fc.json() })
      .map(({ topic, body }) => ({ topic, payload: Buffer.from(body) })),
  );
  const generated = fc.sample(fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: hostile, weight: 3 }), { seed, numRuns: count });
  let good = firstGood;
  return generated.map((m) => {
    if (m) return { kind: 'hostile', ...m };
    const { topic, ts, p } = goodSample(good++, lastQuarterMs);
    return { kind: 'good', topic, payload: Buffer.from(sampleJson(ts, p)) };
  });
}

describe('payload fuzzing through the broker', () => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it(`accounts for each of ${MESSAGES} generated messages as stored or quarantined and stores the good ones`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const context = `payload fuzz seed ${seed} (FUZZ_SEED=${seed} to repeat)`;
    console.info(`[${context}] starting`);
    service = await startTestService('pglite');
    await importArchive(service, [...GOOD, ...MUTATED]);
    const lastQuarterMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS - QUARTER_MS;
    const startedMs = Date.now();

    const client = await mqtt.connectAsync(service.mqttUrl, { clientId: `fuzz-${process.pid}`, reconnectPeriod: 0 });
    let good = 0;
    let rejected = 0;
    for (let sent = 0, chunk = 0; sent < MESSAGES; sent += CHUNK, chunk++) {
      const plan = messages(seed + chunk, Math.min(CHUNK, MESSAGES - sent), lastQuarterMs, good);
      good += plan.filter((p) => p.kind === 'good').length;
      const results = await Promise.allSettled(plan.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
      rejected += results.filter((r) => r.status === 'rejected').length;
    }
    await client.endAsync();
    expect(rejected, context).toBe(0);
    await service.svc.drain();
    await sleep(100);

    const m = await scrape(service.base);
    const received = m.get('loadwatch_ingest_messages_total') ?? 0;
    const processed = total(m, 'loadwatch_ingest_messages_processed_total');
    const backlog = m.get('loadwatch_ingest_backlog_records') ?? -1;
    // Accounting: every message came out of the pipeline with an outcome; every decoded sample with a store result.
    expect(received, context).toBe(MESSAGES);
    expect(processed + backlog, context).toBe(received);
    expect(backlog).toBe(0);
    expect(total(m, 'loadwatch_ingest_samples_total'), context).toBe(m.get('loadwatch_ingest_samples_decoded_total') ?? 0);
    // Only messages with nothing in them (such as an empty JSON array) end with neither; every other one was accepted or quarantined.
    const quarantinedMessages = (m.get('loadwatch_ingest_messages_processed_total{outcome="quarantined"}') ?? 0) + (m.get('loadwatch_ingest_messages_processed_total{outcome="partial"}') ?? 0);
    expect(total(m, 'loadwatch_ingest_quarantined_total'), context).toBeGreaterThanOrEqual(quarantinedMessages);
    for (const key of m.keys()) if (key.startsWith('loadwatch_ingest_quarantined_total{')) expect(key).toMatch(/reason="[a-z_]+"/);

    const stored = new Map<string, number | null>();
    for (let i = 0; i < GOOD.length; i += 50) {
      const series = await storedLoad(service, GOOD.slice(i, i + 50), lastQuarterMs - QUARTERS * QUARTER_MS, lastQuarterMs + QUARTER_MS);
      for (const [meterId, s] of series) s.ts.forEach((ts, j) => stored.set(`meters/${meterId}/load@${ts}`, s.values.p[j]));
    }
    let missing = 0;
    for (let step = 0; step < good; step++) {
      const g = goodSample(step, lastQuarterMs);
      if (stored.get(`${g.topic}@${g.ts}`) !== g.p) missing++;
    }
    expect(missing, context).toBe(0);
    expect(stored.size).toBe(good);
    const outcomes = [...m].filter(([k]) => k.startsWith('loadwatch_ingest_messages_processed_total')).map(([k, v]) => `${/outcome="(\w+)"/.exec(k)?.[1]}=${v}`);
    console.info(
      `[${context}] ${MESSAGES} messages (${good} good on ${GOOD.length} meters) in ${((Date.now() - startedMs) / 1000).toFixed(1)} s: ${outcomes.join(' ')}; ` +
        `samples decoded ${m.get('loadwatch_ingest_samples_decoded_total')}, quarantine rows ${total(m, 'loadwatch_ingest_quarantined_total')}`,
    );
  }, 60_000 + MESSAGES * 2);
});
