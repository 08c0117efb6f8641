import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Secrets (device secrets, user passwords) are stored only as scrypt hashes in a self-describing string,
 * `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without invalidating old hashes.
 * N = 2^14 costs ~34 ms and 16 MiB on this machine's cores; scrypt runs on libuv's thread pool, never on
 * the event loop that carries PUBACKs. Device secrets are 256-bit random values, so the slow hash is
 * defence in depth; people's passwords are what it is really for.
 */
const COST = { N: 2 ** 14, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const MAX_MEM = 64 * 1024 * 1024;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong secret and for a stored string that is not a hash this module wrote. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every(Number.isSafeInteger)) return false;
  const expected = Buffer.from(parts[5], 'base64url');
  if (expected.length !== KEY_BYTES) return false;
  const key = await derive(secret, Buffer.from(parts[4], 'base64url'), { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A new random secret for a device or token: 256 bits, URL- and MQTT-password-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function derive(secret: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_BYTES, { ...cost, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
