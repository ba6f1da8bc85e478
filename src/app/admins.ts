import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import { generatePassword, randomBase62 } from '../domain/secrets.js';
import { checkPassword, validateAdminName } from '../domain/validation.js';
import type { AppContext } from './ports.js';

/** addAdmin creates a vWHM admin. */
export async function addAdmin(ctx: AppContext, name: string, password: string): Promise<void> {
  validateAdminName(name);
  checkPassword(password, name);
  if (await ctx.store.admins.get(name)) throw new DomainError('admin_exists', `admin ${name} already exists`);
  const at = ctx.now().toISOString();
  await ctx.store.admins.insert({ name, passwordHash: await ctx.hasher.hash(password), createdAt: at, updatedAt: at });
}

/** setAdminPassword replaces an admin's password. */
export async function setAdminPassword(ctx: AppContext, name: string, password: string): Promise<void> {
  if (!(await ctx.store.admins.get(name))) throw new DomainError('admin_not_found', `no admin named ${name}`);
  checkPassword(password, name);
  await ctx.store.admins.setPassword(name, await ctx.hasher.hash(password), ctx.now().toISOString());
}

/** changeOwnAdminPassword lets a signed-in admin replace their password after proving the current one. */
export async function changeOwnAdminPassword(
  ctx: AppContext,
  name: string,
  current: string,
  next: string,
): Promise<void> {
  const admin = await ctx.store.admins.get(name);
  if (!admin) throw new DomainError('admin_not_found', `no admin named ${name}`);
  if (!(await ctx.hasher.verify(admin.passwordHash, current))) {
    throw new DomainError('invalid_parameter', 'the current password is not correct', { param: 'current' });
  }
  if (next === current)
    throw new DomainError('invalid_parameter', 'the new password must differ from the current one', {
      param: 'password',
    });
  await setAdminPassword(ctx, name, next);
}

/** listAdmins returns every admin by name, without password hashes. */
export async function listAdmins(ctx: AppContext): Promise<{ name: string; createdAt: string; updatedAt: string }[]> {
  return ctx.store.admins.list();
}

/** ensureFirstAdmin creates the admin "admin" with a generated password when there is no admin yet. */
export async function ensureFirstAdmin(ctx: AppContext): Promise<{ name: string; password: string } | null> {
  if ((await ctx.store.admins.count()) > 0) return null;
  const password = generatePassword();
  await addAdmin(ctx, 'admin', password);
  return { name: 'admin', password };
}

/**
 * AdminVerifier checks Basic Auth credentials. A verified pair is remembered briefly, keyed by a
 * digest that includes the stored hash, so a browser's repeated requests do not each cost an
 * argon2 run and a changed password takes effect at once.
 */
export class AdminVerifier {
  private readonly recent = new Map<string, number>();
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly ttlMs = 60_000,
  ) {}

  async verify(name: string, password: string): Promise<boolean> {
    const admin = await this.ctx.store.admins.get(name);
    if (!admin) {
      // Spend the same time as a real check, so that timing does not reveal admin names.
      this.dummyHash ??= this.ctx.hasher.hash(randomBase62(24));
      await this.ctx.hasher.verify(await this.dummyHash, password);
      return false;
    }
    const key = createHash('sha256').update(`${admin.passwordHash}\0${name}\0${password}`).digest('hex');
    const now = this.ctx.now().getTime();
    const until = this.recent.get(key);
    if (until !== undefined && until > now) return true;
    const ok = await this.ctx.hasher.verify(admin.passwordHash, password);
    if (ok) {
      if (this.recent.size > 1000) this.recent.clear();
      this.recent.set(key, now + this.ttlMs);
    }
    return ok;
  }
}
