import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { Argon2PasswordHasher, DEFAULT_ARGON2 } from './argon2-password-hasher.js';

const run = promisify(execFile);

// OWASP's argon2id minimums, all rated equally strong: the least memory (KiB) for each number of passes.
const OWASP: ReadonlyArray<readonly [number, number]> = [
  [47_104, 1],
  [19_456, 2],
  [12_288, 3],
  [9_216, 4],
  [7_168, 5],
];

it('the default argon2id parameters are one of OWASP’s minimums, and a stored hash says so', async () => {
  const { memoryCost, timeCost, parallelism } = DEFAULT_ARGON2;
  assert.ok(
    OWASP.some(([m, t]) => memoryCost >= m && timeCost >= t) && parallelism >= 1,
    `m=${memoryCost} t=${timeCost} p=${parallelism}`,
  );
  const stored = await new Argon2PasswordHasher().hash('correct horse battery staple');
  assert.match(stored, new RegExp(`^\\$argon2id\\$v=19\\$m=${memoryCost},t=${timeCost},p=${parallelism}\\$`));
  assert.equal(await new Argon2PasswordHasher().verify(stored, 'correct horse battery staple'), true);
});

it('hashes made with the former 19 MiB default still verify', async () => {
  const old = new Argon2PasswordHasher({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const stored = await old.hash('an older password');
  const hasher = new Argon2PasswordHasher();
  assert.equal(await hasher.verify(stored, 'an older password'), true);
  assert.equal(await hasher.verify(stored, 'another password'), false);
});

// The finding: with 19 MiB the allocator gave each hash's block back to the kernel and the next
// hash faulted it in again (about 265 page faults a hash, twice the CPU of OWASP's equal 12 MiB
// setting, whose block is reused). Counted in a process of its own, 8 hashes at a time as the API's
// creates run them, after a warm-up that sizes the allocator's arenas.
it('argon2id’s default memory is reused from hash to hash, not faulted in again each time', async () => {
  const script = `
    const { hash } = await import('@node-rs/argon2');
    const params = { ...${JSON.stringify(DEFAULT_ARGON2)}, algorithm: 2 };
    const batch = (n) => { let left = n; return Promise.all(Array.from({ length: 8 }, async () => { while (left-- > 0) await hash('pw' + left, params); })); };
    await batch(16);
    const before = process.resourceUsage().minorPageFault;
    await batch(32);
    process.stdout.write(String((process.resourceUsage().minorPageFault - before) / 32));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../../', import.meta.url),
  });
  const faultsPerHash = Number(stdout);
  // A 12 MiB block is 3072 pages; the former default faulted in about 265 (huge) pages a hash.
  assert.ok(faultsPerHash < 64, `${faultsPerHash} page faults a hash`);
});
