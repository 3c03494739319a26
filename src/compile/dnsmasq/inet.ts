/**
 * Address arithmetic exactly as libvirt's `virsocketaddr.c` does it for dnsmasq: the effective
 * prefix of an `<ip>`, DHCP range sizes with their checks, and reverse-DNS zone names. Text forms
 * come from the model's `inet.ts` (glibc `getaddrinfo`/`inet_ntop`). Every address is parsed
 * again here, so a value that bypassed the model's codecs can never reach a line unchecked.
 *
 * @module
 */
import { libvirtPrefix, parseIp, rangeCount, rangeFault, type RangeFault } from '../../model/inet.js';
import type { Ip } from '../../model/ip.js';
import { CompileError } from '../errors.js';

/** An address parsed for formatting and arithmetic. */
export interface ParsedAddress {
  family: 'ipv4' | 'ipv6';
  v6: boolean;
  /** 4 or 16 bytes. */
  bytes: Uint8Array;
  /** The text libvirt writes (`virSocketAddrFormat` → glibc `inet_ntop`). */
  text: string;
}

/**
 * Parse a numeric address as libvirt does (`virSocketAddrParse`: IPv4 in every `inet_aton` form,
 * IPv6 without zone), or throw `dnsmasq.invalid-address`.
 */
export function parseAddress(address: string, path: string): ParsedAddress {
  const p = typeof address === 'string' ? parseIp(address) : undefined;
  if (p === undefined) throw new CompileError('dnsmasq.invalid-address', path, `${JSON.stringify(address)} is not an IP address`);
  return { family: p.v6 ? 'ipv6' : 'ipv4', v6: p.v6, bytes: p.bytes, text: p.text };
}

/** The text form libvirt writes (glibc `inet_ntop`). */
export function formatParsed(address: ParsedAddress): string {
  return address.text;
}

/** {@link parseAddress} then {@link formatParsed}. */
export function formatAddress(address: string, path: string): string {
  return parseAddress(address, path).text;
}

/**
 * The prefix libvirt uses for an `<ip>` (`virNetworkIPDefPrefix` → `virSocketAddrGetIPPrefix`):
 * `prefix` when non-zero, else the netmask's bit count (-1 when not contiguous), else the
 * classful prefix for IPv4 (0 for 0.0.0.0, -1 for class D/E) and for IPv6 0 for `::`, 64
 * otherwise.
 */
export function ipPrefix(ip: Pick<Ip, 'address' | 'netmask' | 'prefix'>, address: ParsedAddress, path = '/network/ip'): number {
  if (ip.prefix !== undefined && ip.prefix > 0) {
    if (!Number.isInteger(ip.prefix)) throw new CompileError('dnsmasq.invalid-prefix', `${path}/@prefix`, `${String(ip.prefix)} is not a prefix length`);
    return ip.prefix;
  }
  const netmask = ip.netmask === undefined ? undefined : parseAddress(ip.netmask, `${path}/@netmask`).bytes;
  return libvirtPrefix(address, netmask, undefined);
}

/**
 * The number of leases of a DHCP range (`virSocketAddrGetRange`), with libvirt's checks: same
 * family as the network, inside it, for IPv4 neither the network nor the broadcast address and
 * at most the last two bytes differing, for IPv6 only the last 16-bit group differing, and not
 * reversed. Throws `dnsmasq.invalid-range` with libvirt's message otherwise.
 */
export function dhcpRangeSize(
  start: ParsedAddress,
  end: ParsedAddress,
  network: ParsedAddress,
  prefix: number,
  path: string,
): number {
  const fault = rangeFault(start, end, network, prefix);
  if (fault === undefined) return rangeCount(start, end);
  throw new CompileError('dnsmasq.invalid-range', path, RANGE_MESSAGES[fault](start.text, end.text, network.text, prefix));
}

/** libvirt's message for each fault (the trailing space of "is reversed " included). */
const RANGE_MESSAGES: Record<RangeFault, (s: string, e: string, n: string, prefix: number) => string> = {
  'family-mismatch': (s, e) => `mismatch of address family in range ${s} - ${e}`,
  'network-family-mismatch': (s, e, n) => `mismatch of address family in range ${s} - ${e} for network ${n}`,
  'bad-prefix': (s, e, n, prefix) => `bad prefix ${prefix} for network ${n} when checking range ${s} - ${e}`,
  'outside-network': (s, e, n, prefix) => `range ${s} - ${e} is not entirely within network ${n}/${prefix}`,
  'network-address': (s, e, n, prefix) => `start of range ${s} - ${e} in network ${n}/${prefix} is the network address`,
  'broadcast-address': (s, e, n, prefix) => `end of range ${s} - ${e} in network ${n}/${prefix} is the broadcast address`,
  'too-large': (s, e) => `range ${s} - ${e} is too large (> 65535)`,
  reversed: (s, e) => (s.includes(':') ? `range ${s} - ${e} start larger than end` : `range ${s} - ${e} is reversed `),
};

/**
 * The reverse-DNS zone of `address/prefix` (`virSocketAddrPTRDomain`): `122.168.192.in-addr.arpa`,
 * `1.0.e.f….ip6.arpa`. Undefined when libvirt cannot build one (prefix 0, a full-length prefix,
 * or not a multiple of 8 for IPv4 / 4 for IPv6).
 */
export function ptrDomain(address: ParsedAddress, prefix: number): string | undefined {
  const labels: string[] = [];
  if (address.family === 'ipv4') {
    if (prefix <= 0 || prefix >= 32 || prefix % 8 !== 0) return undefined;
    for (let i = prefix / 8; i > 0; i--) labels.push(String(address.bytes[i - 1]));
    return `${labels.join('.')}.in-addr.arpa`;
  }
  if (prefix <= 0 || prefix >= 128 || prefix % 4 !== 0) return undefined;
  for (let i = prefix / 4; i > 0; i--) {
    const byte = address.bytes[(i - 1) >> 1]!;
    labels.push(((i - 1) % 2 === 0 ? byte >> 4 : byte & 0xf).toString(16));
  }
  return `${labels.join('.')}.ip6.arpa`;
}
