import { BlockList, isIP } from 'node:net';
import { DomainError } from './errors.js';

/** plainIp strips the IPv4-mapped IPv6 form, so that 127.0.0.1 matches however the socket reports it. */
export function plainIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped?.[1] ?? ip;
}

/** normalizeCidr checks an address or CIDR block and returns it as ADDRESS/PREFIX. */
export function normalizeCidr(value: string): string {
  const invalid = () =>
    new DomainError('invalid_parameter', `"${value}" is not an IP address or CIDR block`, { param: 'allowed_cidrs' });
  const [addr = '', prefixText, extra] = value.trim().split('/');
  if (extra !== undefined) throw invalid();
  const family = isIP(addr);
  if (family === 0) throw invalid();
  const max = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw invalid();
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) throw invalid();
  return `${addr.toLowerCase()}/${prefix}`;
}

/** cidrMatcher builds a test for "is this address inside one of these blocks". */
export function cidrMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr = '', prefix = ''] = cidr.split('/');
    list.addSubnet(addr, Number(prefix), isIP(addr) === 6 ? 'ipv6' : 'ipv4');
  }
  return (ip) => {
    const plain = plainIp(ip);
    const family = isIP(plain);
    if (family === 0) return false;
    return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
