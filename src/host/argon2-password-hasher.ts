import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from './ports.js';

/** Argon2Params are the argon2id cost settings. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** DEFAULT_ARGON2 follows the OWASP minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// @node-rs/argon2 exports Algorithm as a const enum, which isolated modules cannot import; 2 is Argon2id.
const ARGON2ID = 2;

/** Argon2PasswordHasher hashes passwords with argon2id. */
export class Argon2PasswordHasher implements PasswordHasher {
  constructor(private readonly params: Argon2Params = DEFAULT_ARGON2) {}

  hash(password: string): Promise<string> {
    return hash(password, { ...this.params, algorithm: ARGON2ID });
  }

  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }
}
