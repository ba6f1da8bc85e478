import type { NetworkInterfaceInfo } from 'node:os';

/**
 * firstPublicAddress picks the machine's address for the Account object's `ip` when
 * VANTA_PUBLIC_IP is not set: the first IPv4 address, in the order the interfaces are listed,
 * that is neither loopback (`internal`) nor link-local (169.254/16, never reachable from outside);
 * null when there is none.
 */
export function firstPublicAddress(interfaces: NodeJS.Dict<readonly NetworkInterfaceInfo[]>): string | null {
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
    }
  }
  return null;
}
