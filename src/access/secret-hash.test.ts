import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, verifySecret } from './secret-hash.js';

describe('secret hashes', () => {
  it('verifies the secret it hashed and nothing else', async () => {
    const secret = newSecret();
    const stored = await hashSecret(secret);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(stored).not.toContain(secret);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(secret + 'x', stored)).toBe(false);
    expect(await verifySecret('', stored)).toBe(false);
  });

  it('salts: the same secret hashes differently each time', async () => {
    expect(await hashSecret('same')).not.toBe(await hashSecret('same'));
  });

  it.each(['', 'plain', 'scrypt$16384$8$1$abc', 'bcrypt$1$2$3$4$5', 'scrypt$x$8$1$c2FsdA$aGFzaA', 'scrypt$16384$8$1$c2FsdA$c2hvcnQ'])(
    'refuses a stored value it did not write: %j',
    async (stored) => {
      expect(await verifySecret('anything', stored)).toBe(false);
    },
  );

  it('makes 256-bit secrets that differ', () => {
    const a = newSecret();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(newSecret()).not.toBe(a);
  });
});
