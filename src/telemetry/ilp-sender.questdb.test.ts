import { describe, expect, it } from 'vitest';
import { classifyIlpError, IlpRowError, withManualFlush } from './ilp-sender.questdb.js';

describe('withManualFlush', () => {
  it.each([
    ['http::addr=localhost:9000;', 'http::addr=localhost:9000;auto_flush=off;'],
    ['http::addr=localhost:9000', 'http::addr=localhost:9000;auto_flush=off;'],
    ['https::addr=q:9000;username=u;password=p;auto_flush_rows=5;', 'https::addr=q:9000;username=u;password=p;auto_flush_rows=5;auto_flush=off;'],
    ['http::addr=localhost:9000;auto_flush=off;', 'http::addr=localhost:9000;auto_flush=off;'],
  ])('%s -> %s', (conf, expected) => {
    expect(withManualFlush(conf)).toBe(expected);
  });

  it('refuses a configuration that turns auto-flush on', () => {
    expect(() => withManualFlush('http::addr=localhost:9000;auto_flush=on;')).toThrow(/auto_flush=on/);
  });
});

describe('classifyIlpError', () => {
  it.each([
    [new Error('HTTP request failed, statusCode=400, error={"code":"invalid"}'), 'reject'],
    [new IlpRowError('Designated timestamp must be an integer'), 'reject'],
    [new Error('HTTP request failed, statusCode=500, error='), 'retry'],
    [new Error('HTTP request failed, statusCode=401, error='), 'retry'],
    [new Error('HTTP request timeout, no response from server in time'), 'retry'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }), 'retry'],
  ])('%s -> %s', (err, expected) => {
    expect(classifyIlpError(err)).toBe(expected);
  });
});
