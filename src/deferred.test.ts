import { describe, expect, it } from 'vitest';
import { deferred } from './deferred.js';

describe('deferred', () => {
  it('forwards calls once the target is there, keeping this and arguments', async () => {
    let open!: (v: { base: number; add(n: number): Promise<number> }) => void;
    const proxy = deferred(new Promise<{ base: number; add(n: number): Promise<number> }>((r) => (open = r)));
    const pending = proxy.add(2);
    open({ base: 40, async add(n) { return this.base + n; } });
    await expect(pending).resolves.toBe(42);
  });

  it('passes the opening failure to every caller', async () => {
    const failing = Promise.reject(new Error('database unreachable'));
    failing.catch(() => undefined);
    const proxy = deferred<{ list(): Promise<number[]> }>(failing);
    await expect(proxy.list()).rejects.toThrow('database unreachable');
  });
});
