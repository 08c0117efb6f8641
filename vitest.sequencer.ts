import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suites that run for a set time (fault injection, durability, detection, the bench smoke), longest first,
 * in seconds measured on this 2-core machine. A clean clone has no duration cache, and vitest then starts the
 * largest files first: a 67 s suite of 106 lines started last would end the run alone on one worker. Starting
 * the longest first lets the short files fill in beside them. A suite missing here only costs time.
 */
const LONG_SUITES: Record<string, number> = {
  'test/durability/kill.test.ts': 140,
  'test/faults/store-outage.test.ts': 117,
  'test/detection/precision-recall.test.ts': 86,
  'test/faults/pg-terminate.test.ts': 67,
  'bench/bench.test.ts': 66,
  'test/faults/soak.test.ts': 65,
  'test/startup/startup.test.ts': 50,
  'test/faults/redis-restart.test.ts': 37,
  'src/archive/archive.pg.test.ts': 37,
  'src/api/routes/rule-profiles.test.ts': 30,
};

export default class LongSuitesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const seconds = (spec: TestSpecification) => LONG_SUITES[relative(spec.project.config.root, spec.moduleId)] ?? 0;
    // Array.prototype.sort is stable: the other files keep vitest's own order.
    return sorted.sort((a, b) => seconds(b) - seconds(a));
  }
}
