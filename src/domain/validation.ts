import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { DomainError } from './errors.js';

const USER_RE = /^[a-z][a-z0-9]{0,15}$/;

/** RESERVED_USERS are names that belong to the system or to services and are never account names. */
export const RESERVED_USERS: ReadonlySet<string> = new Set([
  'root',
  'admin',
  'administrator',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'backup',
  'list',
  'irc',
  'gnats',
  'nobody',
  'nogroup',
  'systemd',
  'messagebus',
  'sshd',
  'mysql',
  'mariadb',
  'postgres',
  'redis',
  'nginx',
  'apache',
  'apache2',
  'httpd',
  'www',
  'wwwdata',
  // php-fpm's own section: a pool named so would be read as the global settings.
  'global',
  'ftp',
  'postfix',
  'dovecot',
  'exim',
  'named',
  'bind',
  'ntp',
  'chrony',
  'polkitd',
  'avahi',
  'dnsmasq',
  'rabbitmq',
  'mosquitto',
  'memcache',
  'memcached',
  'vanta',
  'vantapanel',
  'cpanel',
  'whm',
  'support',
  'operator',
  'shutdown',
  'halt',
  'staff',
  'users',
  'wheel',
  'sudo',
  'adm',
  'tty',
  'disk',
  'kmem',
  'dialout',
  'cdrom',
  'floppy',
  'audio',
  'video',
  'plugdev',
  'netdev',
  'input',
  'kvm',
  'render',
  'shadow',
  'utmp',
  'voice',
  'fax',
  'tape',
  'src',
  'sasl',
  'crontab',
  'ssl',
  'docker',
  'lxd',
  'hostmaster',
  'postmaster',
  'webmaster',
  'abuse',
  'security',
  'info',
  'localhost',
  'default',
  'all',
  'public',
  'html',
  'cgi',
  'user',
  'guest',
]);

/** validateUser checks an account user name and returns it. */
export function validateUser(value: string): string {
  if (!USER_RE.test(value)) {
    throw new DomainError(
      'invalid_user',
      'user must be 1-16 characters: a lower-case letter, then lower-case letters or digits',
      { param: 'user' },
    );
  }
  if (value.startsWith('test')) {
    throw new DomainError('invalid_user', 'user names starting with "test" are reserved', { param: 'user' });
  }
  if (RESERVED_USERS.has(value)) {
    throw new DomainError('invalid_user', `"${value}" is a reserved system name`, { param: 'user' });
  }
  return value;
}

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** normalizeDomain lower-cases a host name, converts IDN to punycode and checks it is a fully qualified name. */
export function normalizeDomain(value: string): string {
  const invalid = (why: string) => new DomainError('invalid_domain', `domain ${why}`, { param: 'domain' });
  let name = value.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '') throw invalid('is empty');
  if (isIP(name) !== 0 || isIP(name.replace(/^\[|\]$/g, '')) !== 0)
    throw invalid('must be a host name, not an IP address');
  // domainToASCII applies UTS #46 mapping and returns '' when the name cannot be converted.
  const ascii = /^[\x21-\x7e]*$/.test(name) ? name : domainToASCII(name);
  if (ascii === '') throw invalid('is not a valid internationalized host name');
  if (ascii.length > 253) throw invalid('is longer than 253 characters');
  const labels = ascii.split('.');
  if (labels.length < 2) throw invalid('must have at least two labels, such as example.com');
  for (const label of labels) {
    if (!LABEL_RE.test(label)) {
      throw invalid('labels must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen');
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) throw invalid('must not end in a numeric label');
  return ascii;
}

// Deliberately simple: one @, a non-empty local part without spaces, and a host name.
const EMAIL_RE = /^[^\s@"<>()[\]\\,;:]{1,64}@([^\s@]+)$/;

/** validateEmail checks a contact address and returns it with the host part normalized. */
export function validateEmail(value: string): string {
  const match = EMAIL_RE.exec(value.trim());
  const invalid = () =>
    new DomainError('invalid_email', 'email must be an address such as owner@example.com', { param: 'email' });
  if (!match || value.length > 254) throw invalid();
  const [local] = value.trim().split('@');
  try {
    return `${local}@${normalizeDomain(match[1] ?? '')}`;
  } catch {
    throw invalid();
  }
}

/** checkPassword enforces the password rules for accounts and admins. */
export function checkPassword(password: string, user: string, param = 'password'): string {
  const chars = [...password];
  if (chars.length < 10 || chars.length > 128) {
    throw new DomainError('weak_password', 'password must be 10-128 characters long', { param });
  }
  // Control characters (a newline above all) would split the `user:password` lines chpasswd reads.
  if (/\p{Cc}/u.test(password)) {
    throw new DomainError('weak_password', 'password must not contain control characters', { param });
  }
  if (user !== '' && password.toLowerCase().includes(user.toLowerCase())) {
    throw new DomainError('weak_password', 'password must not contain the user name', { param });
  }
  return password;
}

const PLAN_RE = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/** validatePlanName checks a plan name. */
export function validatePlanName(value: string): string {
  if (!PLAN_RE.test(value)) {
    throw new DomainError(
      'invalid_parameter',
      'plan name must be 1-32 characters: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
      { param: 'name' },
    );
  }
  return value;
}

/** validateTokenName checks a token name: 1-64 printable characters. */
export function validateTokenName(value: string): string {
  const chars = [...value];
  if (chars.length < 1 || chars.length > 64 || !/^[\p{L}\p{N}\p{P}\p{S} ]+$/u.test(value) || value.trim() !== value) {
    throw new DomainError(
      'invalid_parameter',
      'token name must be 1-64 printable characters without leading or trailing spaces',
      { param: 'name' },
    );
  }
  // `vanta token revoke 5` means the token with id 5: a name made of digits would shadow it.
  if (/^[0-9]+$/.test(value)) {
    throw new DomainError('invalid_parameter', 'token name must not be a number (numbers name tokens by id)', {
      param: 'name',
    });
  }
  return value;
}

const ADMIN_RE = /^[a-z][a-z0-9._-]{0,31}$/;

/** validateAdminName checks a vWHM admin name. */
export function validateAdminName(value: string): string {
  if (!ADMIN_RE.test(value)) {
    throw new DomainError(
      'invalid_parameter',
      'admin name must be 1-32 characters: a lower-case letter, then lower-case letters, digits, ".", "_" or "-"',
      { param: 'name' },
    );
  }
  return value;
}

/** validateReason checks a suspension reason. */
export function validateReason(value: string): string {
  if ([...value].length > 255 || /\p{Cc}/u.test(value)) {
    throw new DomainError('invalid_parameter', 'reason must be at most 255 characters, without control characters', {
      param: 'reason',
    });
  }
  return value;
}

/**
 * collidingDomains lists the primary domains whose site would answer a name this domain's site
 * answers: a site serves its domain and `www.` of it, so `example.com` and `www.example.com` cannot
 * belong to two accounts.
 */
export function collidingDomains(domain: string): string[] {
  const names = [domain, `www.${domain}`];
  if (domain.startsWith('www.')) names.push(domain.slice(4));
  return names;
}
