/**
 * Fast address checks for the validator. The model's helpers (ipaddr.js) cost microseconds per
 * call; a network with tens of thousands of static hosts needs the IPv4 cases to be plain
 * arithmetic. IPv6 falls back to the model.
 *
 * @module
 */
import { addressToBigInt, Ipv6Address } from '../model/index.js';

/** Canonical dotted quad, as the model's `Ipv4Address` accepts it: no leading zeros. */
const QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** The IPv4 dotted quad as an unsigned 32-bit number, or undefined when it is not one. */
export function ipv4ToNumber(address: string): number | undefined {
  const m = QUAD.exec(address);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) return undefined;
    n = n * 256 + part;
  }
  return n;
}

/** True for a valid IPv4 or IPv6 address (what the model's `IpAddress` accepts). */
export function isIpAddress(address: unknown): address is string {
  if (typeof address !== 'string') return false;
  if (!address.includes(':')) return ipv4ToNumber(address) !== undefined;
  return Ipv6Address.is(address);
}

/** The address as a bigint (IPv4 by arithmetic). */
export function toBigInt(address: string): bigint {
  const v4 = ipv4ToNumber(address);
  return v4 !== undefined ? BigInt(v4) : addressToBigInt(address);
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
      this.first = addressToBigInt(address) & ~hostMask;
      this.last = this.first | hostMask;
    } else {
      const size = 2 ** (32 - prefix);
      this.first4 = Math.floor(ipv4ToNumber(address)! / size) * size;
      this.last4 = this.first4 + size - 1;
      this.first = BigInt(this.first4);
      this.last = BigInt(this.last4);
    }
  }

  /** True when `address` (valid, any family) lies in the subnet. */
  contains(address: string): boolean {
    if (address.includes(':') !== this.v6) return false;
    if (!this.v6) {
      const n = ipv4ToNumber(address)!;
      return n >= this.first4 && n <= this.last4;
    }
    const value = addressToBigInt(address);
    return value >= this.first && value <= this.last;
  }
}
