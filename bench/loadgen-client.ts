/** The parent's handle on a load generator process. */
import { JsonLink, nodeTsx, spawnTracked, stopTracked } from './children.js';

export interface RunResult {
  elapsedMs: number;
  sent: number;
  acked: number;
  samplesAcked: number;
  receivedBytes: number;
  unacked: number;
  lastTsMs: number;
}

export class LoadGen {
  private readonly link = new JsonLink(spawnTracked(nodeTsx('bench/loadgen.ts')));

  get pid(): number {
    return this.link.proc.pid!;
  }

  async connect(options: { host?: string; port: number; sendersFile?: string; idle?: number; window?: number; subscribe?: string }, timeoutMs = 60_000): Promise<void> {
    this.link.send({ cmd: 'connect', host: '127.0.0.1', window: 1, ...options });
    await this.link.next((e) => e.ev === 'connected' || e.ev === 'error', timeoutMs, 'load generator connect').then((e) => {
      if (e.ev === 'error') throw new Error(`load generator: ${String(e.message)}`);
    });
  }

  /** ratePerSec 0 = as fast as the window allows. Resolves after the run and the acks of what was in flight. */
  async run(seconds: number, ratePerSec: number, startTsMs: number): Promise<RunResult> {
    this.link.send({ cmd: 'run', seconds, ratePerSec, startTsMs });
    const e = await this.link.next((x) => x.ev === 'done' || x.ev === 'error', seconds * 1000 + 20_000, 'load generator run');
    if (e.ev === 'error') throw new Error(`load generator: ${String(e.message)}`);
    return e as unknown as RunResult;
  }

  close(): Promise<void> {
    return stopTracked(this.link.proc, 2_000);
  }
}
