/**
 * Address checks for the validator, on the model's `inet.ts` (glibc's rules): a network with tens
 * of thousands of static hosts needs the IPv4 cases to be plain arithmetic, which `ipv4Value`
 * does without allocating.
 *
 * @module
 */
import { bytesToBigInt, ipv4Value, parseIpv6Bytes } from '../model/inet.js';

/** True for a valid IPv4 or IPv6 address (what the model's `IpAddress` accepts). */
export function isIpAddress(address: unknown): address is string {
  if (typeof address !== 'string') return false;
  if (!address.includes(':')) return ipv4Value(address) >= 0;
  return parseIpv6Bytes(address) !== undefined;
}

/** The address (valid, any family) as a bigint. */
export function toBigInt(address: string): bigint {
  if (!address.includes(':')) return BigInt(ipv4Value(address));
  return bytesToBigInt(parseIpv6Bytes(address)!);
}

/**
 * `address/prefix` prepared once for many membership tests: first and last address, so
 * `contains` is a parse and two comparisons (numbers for IPv4, bigints for IPv6).
 */
export class Subnet {
  readonly v6: boolean;
  /** First (network) and last (IPv4 broadcast) address of the subnet. */
  readonly first: bigint;
  readonly last: bigint;
  private readonly first4: number = 0;
  private readonly last4: number = 0;

  /** `address` must be valid and `prefix` within its family's range. */
  constructor(address: string, readonly prefix: number) {
    this.v6 = address.includes(':');
    if (this.v6) {
      const hostMask = (1n << BigInt(128 - prefix)) - 1n;
      this.first = toBigInt(address) & ~hostMask;
      this.last = this.first | hostMask;
    } else {
      const size = 2 ** (32 - prefix);
      this.first4 = Math.floor(ipv4Value(address) / size) * size;
      this.last4 = this.first4 + size - 1;
      this.first = BigInt(this.first4);
      this.last = BigInt(this.last4);
    }
  }

  /** True when `address` (valid, any family) lies in the subnet. */
  contains(address: string): boolean {
    if (address.includes(':') !== this.v6) return false;
    if (!this.v6) {
      const n = ipv4Value(address);
      return n >= this.first4 && n <= this.last4;
    }
    const value = toBigInt(address);
    return value >= this.first && value <= this.last;
  }
}
