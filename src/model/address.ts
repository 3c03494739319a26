/**
 * IP arithmetic on model values: prefixes, netmasks, subnets and ranges, with libvirt's rules
 * (classful default prefixes for IPv4, /64 for IPv6). Addresses are read and written by
 * {@link ./inet.js} (glibc's rules), so any numeric form the codecs accept works here and every
 * address returned is in canonical `inet_ntop` form.
 *
 * @module
 */
import {
  bytesToBigInt,
  formatBytes,
  ipv4Netmask,
  libvirtPrefix,
  maskHostBits,
  netmaskBits,
  parseIp,
  samePrefix,
} from './inet.js';
import type { Ip } from './ip.js';
import type { IpAddress, Ipv4Address, Ipv6Address } from './scalars.js';

/** True for an IPv6 address (the only kind with a colon). */
export function isIpv6(address: string): boolean {
  return address.includes(':');
}

function parsed(address: string): Uint8Array {
  const p = parseIp(address);
  if (p === undefined) throw new TypeError(`${JSON.stringify(address)} is not an IP address`);
  return p.bytes;
}

/** Bytes of an address, 4 for IPv4 and 16 for IPv6. Throws `TypeError` for a non-address. */
export function addressBytes(address: string): number[] {
  return Array.from(parsed(address));
}

/** The address with the given bytes (4 or 16 of them), in canonical form. */
export function addressFromBytes(bytes: number[]): IpAddress {
  return formatBytes(bytes) as IpAddress;
}

/** The address as a bigint, for range arithmetic. */
export function addressToBigInt(address: string): bigint {
  return bytesToBigInt(parsed(address));
}

/** Prefix length of a contiguous netmask, or undefined when it is not contiguous. */
export function netmaskToPrefix(netmask: string): number | undefined {
  const bits = netmaskBits(parsed(netmask));
  return bits < 0 ? undefined : bits;
}

/** The dotted IPv4 netmask of a prefix length 0..32. */
export function prefixToNetmask(prefix: number): Ipv4Address {
  return ipv4Netmask(prefix) as Ipv4Address;
}

/**
 * The prefix libvirt uses for an `<ip>` (`virSocketAddrGetIPPrefix`): `prefix` when non-zero,
 * else the netmask's length, else the classful default for IPv4 (A /8, B /16, C /24,
 * 0.0.0.0 /0) and 64 for IPv6. Undefined when there is none (class D/E, non-contiguous netmask).
 */
export function effectivePrefix(ip: Pick<Ip, 'address' | 'netmask' | 'prefix'>): number | undefined {
  if (ip.prefix !== undefined && ip.prefix > 0) return ip.prefix;
  if (ip.netmask !== undefined) return netmaskToPrefix(ip.netmask);
  if (isIpv6(ip.address)) return 64;
  const prefix = libvirtPrefix({ v6: false, bytes: parsed(ip.address) }, undefined, undefined);
  return prefix < 0 ? undefined : prefix;
}

/** The network address of `address/prefix` (`192.168.122.1`, 24 → `192.168.122.0`). */
export function networkAddress(address: string, prefix: number): IpAddress {
  return formatBytes(maskHostBits(parsed(address), prefix, 0)) as IpAddress;
}

/** The last address of `address/prefix` (the IPv4 broadcast address). */
export function lastAddress(address: string, prefix: number): IpAddress {
  return formatBytes(maskHostBits(parsed(address), prefix, 255)) as IpAddress;
}

/** True when `address` lies in `network/prefix` (same family required). */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  const a = parsed(address);
  const n = parsed(network);
  return a.length === n.length && samePrefix(a, n, prefix);
}

/** Number of addresses from `start` to `end` inclusive (negative when reversed). */
export function rangeSize(start: string, end: string): bigint {
  return addressToBigInt(end) - addressToBigInt(start) + 1n;
}

/** Narrowing helpers for code that has checked the family already. */
export const asIpv4 = (a: string): Ipv4Address => a as Ipv4Address;
export const asIpv6 = (a: string): Ipv6Address => a as Ipv6Address;
