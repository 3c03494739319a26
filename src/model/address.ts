/**
 * IP arithmetic on model values: prefixes, netmasks, subnets and ranges, with libvirt's rules
 * (classful default prefixes for IPv4, /64 for IPv6). Built on ipaddr.js.
 *
 * @module
 */
import ipaddr from 'ipaddr.js';
import type { Ip } from './ip.js';
import type { IpAddress, Ipv4Address, Ipv6Address } from './scalars.js';

/** True for an IPv6 address (the only kind with a colon). */
export function isIpv6(address: string): boolean {
  return address.includes(':');
}

/** Bytes of an address, 4 for IPv4 and 16 for IPv6. */
export function addressBytes(address: string): number[] {
  return ipaddr.parse(address).toByteArray();
}

/** The address with the given bytes (4 or 16 of them), in canonical form. */
export function addressFromBytes(bytes: number[]): IpAddress {
  return ipaddr.fromByteArray(bytes).toString() as IpAddress;
}

/** The address as a bigint, for range arithmetic. */
export function addressToBigInt(address: string): bigint {
  let value = 0n;
  for (const b of addressBytes(address)) value = (value << 8n) | BigInt(b);
  return value;
}

/** Prefix length of a contiguous IPv4 netmask, or undefined when it is not contiguous. */
export function netmaskToPrefix(netmask: string): number | undefined {
  const n = Number(addressToBigInt(netmask));
  const inverted = ~n >>> 0;
  // Contiguous: the inverted mask is 2^k - 1.
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  return 32 - Math.log2(inverted + 1);
}

/** The dotted IPv4 netmask of a prefix length 0..32. */
export function prefixToNetmask(prefix: number): Ipv4Address {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.') as Ipv4Address;
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
  const first = addressBytes(ip.address)[0] ?? 0;
  if (ip.address === '0.0.0.0') return 0;
  if (first < 128) return 8;
  if (first < 192) return 16;
  if (first < 224) return 24;
  return undefined;
}

function maskBytes(bytes: number[], prefix: number, fill: 0 | 255): number[] {
  return bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const keep = (0xff << (8 - bits)) & 0xff;
    return fill === 0 ? b & keep : (b & keep) | (~keep & 0xff);
  });
}

/** The network address of `address/prefix` (`192.168.122.1`, 24 → `192.168.122.0`). */
export function networkAddress(address: string, prefix: number): IpAddress {
  return addressFromBytes(maskBytes(addressBytes(address), prefix, 0));
}

/** The last address of `address/prefix` (the IPv4 broadcast address). */
export function lastAddress(address: string, prefix: number): IpAddress {
  return addressFromBytes(maskBytes(addressBytes(address), prefix, 255));
}

/** True when `address` lies in `network/prefix` (same family required). */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  if (isIpv6(address) !== isIpv6(network)) return false;
  return networkAddress(address, prefix) === networkAddress(network, prefix);
}

/** Number of addresses from `start` to `end` inclusive (negative when reversed). */
export function rangeSize(start: string, end: string): bigint {
  return addressToBigInt(end) - addressToBigInt(start) + 1n;
}

/** Narrowing helpers for code that has checked the family already. */
export const asIpv4 = (a: string): Ipv4Address => a as Ipv4Address;
export const asIpv6 = (a: string): Ipv6Address => a as Ipv6Address;
