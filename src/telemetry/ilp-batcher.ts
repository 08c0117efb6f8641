/**
 * Our own copy of every row until the server has accepted it. The QuestDB client empties its buffer
 * before sending, so a flush that fails after its retry window has lost its rows; and it only
 * auto-flushes when a row is added. Here a batch stays in memory until send() succeeds, is retried
 * with backoff for as long as the batcher is open, is flushed on a timer, and a batch the server
 * rejects as a whole is split in halves until the rows it refuses are alone (and reported).
 */
export type SendFailure = 'retry' | 'reject';

export interface BatcherOptions<R> {
  /** One HTTP request: resolves once the server has accepted every row of it. */
  send(rows: readonly R[]): Promise<void>;
  /** 'reject' when the server refused the content (ILP/HTTP 400), 'retry' for outages and timeouts. */
  classify(err: unknown): SendFailure;
  maxBatchRows: number;
  /** How long the first waiting row may wait for others to join its request. */
  flushIntervalMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  onRetry(err: unknown, rows: number, delayMs: number): void;
  onRejected(row: R, err: unknown): void;
}

export interface Outcome {
  written: number;
  rejected: number;
}

export class WriterClosedError extends Error {}

interface Ticket {
  remaining: number;
  outcome: Outcome;
  resolve(o: Outcome): void;
  reject(err: Error): void;
}

interface Item<R> {
  row: R;
  ticket: Ticket;
}

export class IlpBatcher<R> {
  private pending: Item<R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(private readonly opts: BatcherOptions<R>) {}

  /** Resolves when every row is accepted or isolated as rejected; rejects only if the batcher is closed first. */
  enqueue(rows: readonly R[]): Promise<Outcome> {
    if (this.closed) return Promise.reject(new WriterClosedError('the ILP writer is closed'));
    if (rows.length === 0) return Promise.resolve({ written: 0, rejected: 0 });
    return new Promise<Outcome>((resolve, reject) => {
      const ticket: Ticket = { remaining: rows.length, outcome: { written: 0, rejected: 0 }, resolve, reject };
      for (const row of rows) this.pending.push({ row, ticket });
      this.schedule();
    });
  }

  /** Stops retrying; rows not yet accepted fail with WriterClosedError (the ingest journal still holds them). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.wakeSleeper?.();
    await this.running;
    this.failAll(this.pending.splice(0));
  }

  private schedule(): void {
    if (this.running) return; // the running loop takes new rows after its current request
    if (this.pending.length >= this.opts.maxBatchRows) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.start();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, this.opts.flushIntervalMs);
    }
  }

  private start(): void {
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.pending.length > 0 && !this.closed) this.schedule();
    });
  }

  private async loop(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      await this.deliver(this.pending.splice(0, this.opts.maxBatchRows));
    }
  }

  /** Sends one batch until it is accepted; a rejected batch is split and each half delivered the same way. */
  private async deliver(batch: Item<R>[]): Promise<void> {
    let delayMs = this.opts.retryMinMs;
    for (;;) {
      if (this.closed) return this.failAll(batch);
      try {
        await this.opts.send(batch.map((i) => i.row));
        for (const i of batch) this.settle(i.ticket, 'written');
        return;
      } catch (err) {
        if (this.opts.classify(err) === 'reject') return this.split(batch, err);
        this.opts.onRetry(err, batch.length, delayMs);
        await this.sleep(delayMs);
        delayMs = Math.min(delayMs * 2, this.opts.retryMaxMs);
      }
    }
  }

  private async split(batch: Item<R>[], err: unknown): Promise<void> {
    if (batch.length === 1) {
      this.opts.onRejected(batch[0].row, err);
      this.settle(batch[0].ticket, 'rejected');
      return;
    }
    const half = Math.ceil(batch.length / 2);
    await this.deliver(batch.slice(0, half));
    await this.deliver(batch.slice(half));
  }

  private settle(ticket: Ticket, how: keyof Outcome): void {
    ticket.outcome[how]++;
    if (--ticket.remaining === 0) ticket.resolve(ticket.outcome);
  }

  private failAll(items: Item<R>[]): void {
    const error = new WriterClosedError('the ILP writer closed before the server accepted these rows');
    for (const t of new Set(items.map((i) => i.ticket))) t.reject(error);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}
