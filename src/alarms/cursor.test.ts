import { describe, expect, it } from 'vitest';
import { cursorOf, parseCursor } from './cursor.js';

describe('alarm cursor', () => {
  it('round-trips the last alarm of a page', () => {
    const c = { active: false, startTs: '2025-01-06T00:15:00.000Z', id: '42' };
    expect(parseCursor(cursorOf(c))).toEqual(c);
  });

  it.each([
    ['not base64 json', 'zzz'],
    ['empty', ''],
    ['wrong arity', Buffer.from('[true,"2025-01-06T00:00:00Z"]').toString('base64url')],
    ['bad instant', Buffer.from('[true,"yesterday","1"]').toString('base64url')],
    ['id not a bigint', Buffer.from('[true,"2025-01-06T00:00:00Z","1 OR 1=1"]').toString('base64url')],
    ['active not boolean', Buffer.from('["t","2025-01-06T00:00:00Z","1"]').toString('base64url')],
  ])('rejects %s', (_name, text) => {
    expect(parseCursor(text)).toBeUndefined();
  });
});
