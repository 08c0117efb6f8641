import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from './log.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('debug', stream), lines };
}

const SECRET = 'lw_abc_s3cr3t-value';

describe('log redaction', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a bearer header', { req: { headers: { authorization: `Bearer ${SECRET}`, host: 'h' } } }, ['req', 'headers', 'authorization']],
    ['a session cookie', { req: { headers: { cookie: `lw_session=${SECRET}` } } }, ['req', 'headers', 'cookie']],
    ['bare headers', { headers: { authorization: `Bearer ${SECRET}` } }, ['headers', 'authorization']],
    ['a set-cookie answer', { res: { headers: { 'set-cookie': `lw_session=${SECRET}` } } }, ['res', 'headers', 'set-cookie']],
    ['a password', { password: SECRET }, ['password']],
    ['an MQTT CONNECT packet', { packet: { cmd: 'connect', clientId: 'm1', username: 'm1', password: SECRET } }, ['packet', 'password']],
    ['a webhook secret', { subscription: { id: 's1', secret: SECRET } }, ['subscription', 'secret']],
    ['a token', { token: SECRET }, ['token']],
    ['a session id', { session: { sessionId: SECRET } }, ['session', 'sessionId']],
  ])('%s is replaced, the rest kept', (_name, fields, path) => {
    const { log, lines } = capture();
    log.info(fields, 'something happened');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('s3cr3t');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], line)).toBe(REDACTED);
    expect(line.msg).toBe('something happened');
  });

  it('redacts in child loggers too, and leaves ordinary fields alone', () => {
    const { log, lines } = capture();
    log.child({ step: 'broker' }).warn({ clientId: 'm1', username: 'm1', password: SECRET, tokenId: 'abc' }, 'auth failure');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ step: 'broker', clientId: 'm1', username: 'm1', password: REDACTED, tokenId: 'abc' });
  });
});
