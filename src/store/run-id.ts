// Short readable run ids: six characters from an alphabet without look-alikes (no 0/o, 1/l/i).
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * A fresh random run id such as `k7m2xq` (31^6 ≈ 8.9e8 values; the store retries on a clash).
 *
 * @example
 * newRunId(); // 'k7m2xq'
 */
export function newRunId(length = 6): string {
  const bytes = randomBytes(length * 2);
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[bytes.readUInt16LE(2 * i) % ALPHABET.length];
  return id;
}

/** Whether `s` looks like a run id or a prefix of one (used to reject junk before querying). */
export function isRunIdLike(s: string): boolean {
  return s.length > 0 && s.length <= 32 && /^[a-z0-9-]+$/.test(s);
}
