import { Sender } from '@questdb/nodejs-client';
import type { Logger } from '../log.js';
import type { SendFailure } from './ilp-batcher.js';
import type { IlpRow } from './ilp-rows.js';

/** Sends rows as one ILP/HTTP request per call through @questdb/nodejs-client; flushing is ours (see ilp-batcher.ts). */
export interface IlpSender {
  send(rows: readonly IlpRow[]): Promise<void>;
  close(): Promise<void>;
}

export async function openIlpSender(clientConf: string, log: Logger): Promise<IlpSender> {
  const sender = await Sender.fromConfig(withManualFlush(clientConf), {
    log: (level: 'error' | 'warn' | 'info' | 'debug', message: string | Error) =>
      message instanceof Error ? log[level]({ err: message, source: 'questdb-client' }, message.message) : log[level]({ source: 'questdb-client' }, message),
  });
  return {
    async send(rows) {
      // A failed flush has already emptied the buffer; a row that failed to build is cleared here.
      sender.reset();
      for (const row of rows) {
        try {
          sender.table(row.table);
          for (const [name, value] of row.symbols) sender.symbol(name, value);
          for (const [name, value] of row.fields) sender.floatColumn(name, value);
          await sender.at(row.tsMs, 'ms');
        } catch (err) {
          // The client refuses to encode this row: no retry can help, the batch is split like a 400.
          throw new IlpRowError((err as Error).message, { cause: err });
        }
      }
      await sender.flush();
    },
    close: () => sender.close(),
  };
}

/**
 * The client's auto-flush would cut our batches at points we do not choose (and only when a row is
 * added), so it is turned off: one flush() is one HTTP request is one transaction per table.
 */
export function withManualFlush(clientConf: string): string {
  const conf = clientConf.trim();
  const autoFlush = /(?:::|;)\s*auto_flush\s*=\s*([^;]*)/.exec(conf);
  if (autoFlush && autoFlush[1].trim() !== 'off') {
    throw new Error(`QDB_CLIENT_CONF sets auto_flush=${autoFlush[1].trim()}: loadwatch flushes itself, leave auto_flush out or set it to off`);
  }
  if (autoFlush) return conf;
  return `${conf}${conf.endsWith(';') ? '' : ';'}auto_flush=off;`;
}

export class IlpRowError extends Error {}

/** ILP/HTTP answers 400 when it refuses the content of a request; everything else may pass with time. */
export function classifyIlpError(err: unknown): SendFailure {
  if (err instanceof IlpRowError) return 'reject';
  const message = err instanceof Error ? err.message : String(err);
  return /statusCode=400\b/.test(message) ? 'reject' : 'retry';
}
