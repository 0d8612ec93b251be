import { hash, verify } from '@node-rs/argon2';

/*
 * Passwords: argon2id with the library's defaults (19 MiB, t=2, p=1: OWASP's minimum), PHC strings in the database.
 */

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  // The library's default algorithm is argon2id (its enum is a const enum, which this build setup cannot import);
  // the test checks the stored hash says `$argon2id$`.
  return hash(password);
}

// A hash of nothing anyone knows: an unknown e-mail costs the same argon2 work as a known one, so timing does not
// tell which addresses have accounts.
let dummy: Promise<string> | undefined;

/** True when `password` matches `passwordHash`; with no hash (unknown user) still does the work, then says false. */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummy ??= hashPassword('tapline-no-such-user');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash is a refusal, never a crash of the login.
    return false;
  }
}
