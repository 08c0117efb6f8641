import { afterEach, describe, expect, it } from 'vitest';
import { prng, publishLoad, QUARTER_MS, sampleKey, type LoadSample } from '../support/load-publisher.js';
import { startTestService, type TestService } from '../support/service.js';
import { importArchive, scrape, storedLoad } from './support.js';

const METERS = Array.from({ length: 100 }, (_, i) => `FB${String(i).padStart(3, '0')}`);
const DAY_MS = 86_400_000;

describe('back-fill storm', () => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('stores exactly the distinct set of 100 meters x 96 samples of a past day sent shuffled with 10 % duplicates, and returns sorted curves', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    console.info(`[back-fill storm] seed ${seed} (FUZZ_SEED to repeat)`);
    const rand = prng(seed);
    service = await startTestService('postgres');
    await importArchive(service, METERS);

    const dayStartMs = Math.floor(Date.now() / DAY_MS) * DAY_MS - 2 * DAY_MS;
    const distinct: LoadSample[] = METERS.flatMap((meterId, m) =>
      Array.from({ length: 96 }, (_, q) => ({ meterId, tsMs: dayStartMs + q * QUARTER_MS, pKw: m * 100 + q + 0.5 })),
    );
    const duplicates = Array.from({ length: distinct.length / 10 }, () => distinct[Math.floor(rand() * distinct.length)]);
    const storm = [...distinct, ...duplicates];
    for (let i = storm.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [storm[i], storm[j]] = [storm[j], storm[i]];
    }

    const startedMs = Date.now();
    const run = await publishLoad({ url: service.mqttUrl, samples: storm, clients: 4, window: 16 });
    await run.done;
    await run.close();
    expect(run.acked.size).toBe(distinct.length);
    await service.svc.drain();
    const elapsedMs = Date.now() - startedMs;

    const series = await storedLoad(service, METERS, dayStartMs, dayStartMs + DAY_MS);
    const expected = new Map(distinct.map((s) => [sampleKey(s.meterId, s.tsMs), s.pKw]));
    let stored = 0;
    for (const [meterId, s] of series) {
      expect(s.ts, `${meterId} sorted`).toEqual([...s.ts].sort((a, b) => a - b));
      expect(s.ts.length, meterId).toBe(96);
      s.ts.forEach((ts, i) => expect(s.values.p[i], sampleKey(meterId, ts)).toBe(expected.get(sampleKey(meterId, ts))));
      stored += s.ts.length;
    }
    expect(stored).toBe(distinct.length);
    const m = await scrape(service.base);
    expect(m.get('loadwatch_ingest_samples_total{result="stored"}')).toBe(distinct.length);
    expect(m.get('loadwatch_ingest_samples_total{result="duplicate"}') ?? 0).toBe(duplicates.length);
    console.info(`[back-fill storm seed ${seed}] ${storm.length} messages (${duplicates.length} duplicates) published, stored and checked in ${elapsedMs} ms`);
  }, 60_000);
});
