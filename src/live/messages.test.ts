import { describe, expect, it } from 'vitest';
import { parseClientMessage } from './messages.js';

describe('parseClientMessage', () => {
  it('accepts a full subscription', () => {
    expect(parseClientMessage('{"op":"subscribe","meters":["M1"],"customers":["C1"],"classes":["KEY"],"alarms":true}')).toEqual({
      ok: true,
      message: { op: 'subscribe', topics: { meters: ['M1'], customers: ['C1'], classes: ['KEY'], alarms: true } },
    });
  });

  it.each([
    ['not json', 'messages must be JSON'],
    ['null', 'op must be'],
    ['{"op":"watch"}', 'op must be'],
    ['{"op":"subscribe","meters":"M1"}', 'meters must be an array'],
    ['{"op":"subscribe","meters":[1]}', 'meters must be an array'],
    ['{"op":"subscribe","classes":["VIP"]}', 'unknown class "VIP"'],
    [JSON.stringify({ op: 'subscribe', meters: Array.from({ length: 1001 }, (_, i) => `M${i}`) }), 'at most 1000'],
  ])('rejects %s', (text, message) => {
    const parsed = parseClientMessage(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(message);
  });
});
