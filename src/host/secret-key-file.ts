import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Keyring, generateKeyBytes, makeKeyring, parseKeyFile, renderKeyFile } from '../domain/keyring.js';

/** defaultSecretKeyFile is where the key file lives unless VANTA_SECRET_KEY_FILE says otherwise: beside the store, not in it. */
export function defaultSecretKeyFile(dataDir: string): string {
  return join(dataDir, 'secret.key');
}

/** LoadedKeyring is the panel's keyring and whether this call made the key file. */
export interface LoadedKeyring {
  ring: Keyring;
  created: boolean;
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/**
 * loadKeyring reads the key file, or makes it (one new key, mode 0600) when it is missing and
 * `create` allows. Refused: a symlink, anything but a regular file, and a file that group or
 * others may read. Pass `create: false` once the store holds sealed secrets, so that a lost key
 * file is an error at start-up rather than a new key that opens nothing.
 */
export async function loadKeyring(path: string, { create = true }: { create?: boolean } = {}): Promise<LoadedKeyring> {
  let created = false;
  let text = await readKeyFile(path);
  if (text === null) {
    if (!create) throw new Error(`the secret key file ${path} is missing`);
    created = await createKeyFile(path, renderKeyFile([generateKeyBytes()]));
    text = await readKeyFile(path);
    if (text === null) throw new Error(`the secret key file ${path} vanished as it was made`);
  }
  try {
    return { ring: makeKeyring(parseKeyFile(text)), created };
  } catch (err) {
    throw new Error(`the secret key file ${path} is not valid: ${(err as Error).message}`);
  }
}

/** FORM_KEY_FILE is the file, in the data directory, of the key that signs vWHM's and the user panel's form tokens. */
export const FORM_KEY_FILE = 'form.key';

/**
 * loadFormKey reads the key that signs the form tokens of vWHM and the user panel (32 random bytes, in
 * hex), or makes it: kept across restarts, a form opened before one still posts after it.
 */
export async function loadFormKey(path: string): Promise<Buffer> {
  const text = (await readSecretFile(path, async () => `${randomBytes(32).toString('hex')}\n`)).trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`the form key file ${path} does not hold 64 hex digits`);
  return Buffer.from(text, 'hex');
}

/**
 * readSecretFile reads a 0600 secret file, or makes it with `make` when it is missing (the first
 * process to make it wins); refused as the key file is: a symlink, not a regular file, readable by others.
 */
export async function readSecretFile(path: string, make: () => Promise<string>): Promise<string> {
  const text = await readKeyFile(path);
  if (text !== null) return text;
  await createKeyFile(path, await make());
  const made = await readKeyFile(path);
  if (made === null) throw new Error(`the secret file ${path} vanished as it was made`);
  return made;
}

async function readKeyFile(path: string): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return null;
    if (codeOf(err) === 'ELOOP') throw new Error(`the secret key file ${path} is a symbolic link`);
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`the secret key file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new Error(`the secret key file ${path} may be read by group or others: chmod 600 it`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * createKeyFile writes a new key to a temporary file, flushed to disk, then links it into place,
 * which fails when another process got there first: the key that wins is the one every process reads.
 */
async function createKeyFile(path: string, content: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(tmp, path);
    // The key must outlive a power cut that the database sealed with it survives.
    const dir = await open(dirname(path), constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return true;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}
