import type { PasswordHasher } from './ports.js';

type Argon2 = typeof import('@node-rs/argon2');

/** Argon2Params are the argon2id cost settings. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * DEFAULT_ARGON2 is one of OWASP's argon2id minimums, which OWASP rates equally strong: 12 MiB, 3
 * passes, 1 lane. Its first one, 19 MiB and 2 passes, costs twice the CPU here: the allocator gives
 * a 19 MiB block back to the kernel after each hash and the next one faults it in again (about 265
 * page faults a hash), while a 12 MiB block is kept and reused.
 */
export const DEFAULT_ARGON2: Argon2Params = { memoryCost: 12_288, timeCost: 3, parallelism: 1 };

// @node-rs/argon2 exports Algorithm as a const enum, which isolated modules cannot import; 2 is Argon2id.
const ARGON2ID = 2;

/**
 * Argon2PasswordHasher hashes passwords with argon2id. Its native library is loaded by the first hash
 * or check, not at start: a panel that starts with its admins made hashes nothing until a sign-in
 * (1.5 to 2.5 MiB resident saved meanwhile).
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private library: Promise<Argon2> | null = null;

  constructor(private readonly params: Argon2Params = DEFAULT_ARGON2) {}

  private argon2(): Promise<Argon2> {
    this.library ??= import('@node-rs/argon2');
    return this.library;
  }

  async hash(password: string): Promise<string> {
    const { hash } = await this.argon2();
    return hash(password, { ...this.params, algorithm: ARGON2ID });
  }

  async verify(stored: string, password: string): Promise<boolean> {
    // Outside the try: a library that cannot load is an error, not a wrong password.
    const { verify } = await this.argon2();
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }
}
