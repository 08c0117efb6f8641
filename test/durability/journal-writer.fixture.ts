/**
 * Run as a child process (under a file-size limit) by short-write.test.ts: appends `count`
 * records to the journal in dir, in bursts so they group-commit, and prints one line of JSON:
 * for each record, 1 if its append was acknowledged, 0 if it failed.
 */
import { Journal } from '../../src/ingest/journal.js';

const [dir, countArg] = process.argv.slice(2);
const count = Number(countArg);
const { journal } = await Journal.open(dir, { segmentBytes: 64 << 20 });
const acked: number[] = new Array(count).fill(0);
const appended: Promise<void>[] = [];
for (let i = 0; i < count; i++) {
  appended.push(
    new Promise((resolve) =>
      journal.append('meters/SW1/load', 'short-write', Buffer.from(JSON.stringify({ ts: i, p: i })), i, (err) => {
        acked[i] = err ? 0 : 1;
        resolve();
      }),
    ),
  );
  if (i % 50 === 49) await new Promise((r) => setTimeout(r, 1));
}
await Promise.all(appended);
process.stdout.write(`${JSON.stringify(acked)}\n`);
process.exit(0);
