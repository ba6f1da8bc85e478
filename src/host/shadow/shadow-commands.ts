/** NOLOGIN_SHELL is the shell of accounts whose plan gives no shell access. */
export const NOLOGIN_SHELL = '/usr/sbin/nologin';

/** LOGIN_SHELL is the shell of accounts whose plan allows shell access. */
export const LOGIN_SHELL = '/bin/bash';

/** UseraddInput is what the useradd argument list depends on. */
export interface UseraddInput {
  user: string;
  home: string;
  shell: boolean;
  domain: string;
}

/** useraddArgs is the argument list that makes the user with its own group and home. */
export function useraddArgs(input: UseraddInput): string[] {
  return [
    '--create-home',
    '--home-dir',
    input.home,
    '--user-group',
    '--shell',
    input.shell ? LOGIN_SHELL : NOLOGIN_SHELL,
    '--comment',
    `Vanta account ${input.domain}`,
    input.user,
  ];
}

/** lockArgs locks the password and expires the account, so key-based logins stop as well. */
export function lockArgs(user: string): string[] {
  return ['--lock', '--expiredate', '1', user];
}

/** unlockArgs is the exact reverse of lockArgs: password unlocked, no expiry date. */
export function unlockArgs(user: string): string[] {
  return ['--unlock', '--expiredate', '', user];
}

/** shellArgs changes the login shell when the plan's shell access changes. */
export function shellArgs(user: string, shell: boolean): string[] {
  return ['--shell', shell ? LOGIN_SHELL : NOLOGIN_SHELL, user];
}

/** userdelArgs removes the user together with its home and mail spool. */
export function userdelArgs(user: string): string[] {
  return ['--remove', user];
}

/** chpasswdInput is the stdin line chpasswd reads; the password never reaches an argument list. */
export function chpasswdInput(user: string, password: string): string {
  if (/[\r\n\0]/.test(password) || user.includes(':'))
    throw new Error('password or user cannot be written for chpasswd');
  return `${user}:${password}\n`;
}

/** PasswdEntry is one parsed line of the passwd database. */
export interface PasswdEntry {
  user: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** parsePasswdLine reads one `getent passwd` line. */
export function parsePasswdLine(line: string): PasswdEntry | null {
  const f = line.trim().split(':');
  if (f.length < 7) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  return { user: f[0] ?? '', uid, gid, home: f[5] ?? '', shell: f[6] ?? '' };
}
