/**
 * Address arithmetic exactly as libvirt's `virsocketaddr.c` does it for dnsmasq: text forms
 * (glibc `inet_ntop`), the effective prefix of an `<ip>`, DHCP range sizes with their checks,
 * and reverse-DNS zone names. Every address is parsed again here, so a value that bypassed the
 * model's codecs can never reach a line unchecked.
 *
 * @module
 */
import type { Ip } from '../../model/ip.js';
import { CompileError } from '../errors.js';

/** An address parsed for formatting and arithmetic. */
export interface ParsedAddress {
  family: 'ipv4' | 'ipv6';
  /** 4 or 16 bytes. */
  bytes: number[];
}

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** 16-bit words of one side of `::`; a dotted IPv4 tail is allowed in the last position. */
function ipv6Words(part: string, allowIpv4Tail: boolean): number[] | undefined {
  if (part === '') return [];
  const groups = part.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    if (allowIpv4Tail && i === groups.length - 1 && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (!v4) return undefined;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (HEX_GROUP.test(group)) words.push(parseInt(group, 16));
    else return undefined;
  }
  return words;
}

function parseIpv6(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const gap = text.indexOf('::');
  let words: number[] | undefined;
  if (gap < 0) {
    words = ipv6Words(text, true);
    if (!words || words.length !== 8) return undefined;
  } else {
    if (text.indexOf('::', gap + 1) >= 0) return undefined;
    const head = ipv6Words(text.slice(0, gap), false);
    const tail = ipv6Words(text.slice(gap + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 0xff);
  return bytes;
}

/**
 * Parse an IPv4 dotted quad (no leading zeros) or an IPv6 address (no zone), or throw
 * `dnsmasq.invalid-address`. Hand-written because it runs once per DHCP and DNS host.
 */
export function parseAddress(address: string, path: string): ParsedAddress {
  if (typeof address === 'string') {
    const v4 = parseIpv4(address);
    if (v4) return { family: 'ipv4', bytes: v4 };
    const v6 = address.includes(':') ? parseIpv6(address) : undefined;
    if (v6) return { family: 'ipv6', bytes: v6 };
  }
  throw new CompileError('dnsmasq.invalid-address', path, `${JSON.stringify(address)} is not an IP address`);
}

/**
 * The text form libvirt writes (`virSocketAddrFormat` → glibc `inet_ntop`): dotted quad for
 * IPv4; for IPv6 lowercase hex, the first longest run of two or more zero groups as `::`, and
 * the last 32 bits as a dotted quad for `::a.b.c.d` and `::ffff:a.b.c.d`.
 */
export function formatParsed(address: ParsedAddress): string {
  const b = address.bytes;
  if (address.family === 'ipv4') return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      return out;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** {@link parseAddress} then {@link formatParsed}. */
export function formatAddress(address: string, path: string): string {
  return formatParsed(parseAddress(address, path));
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
  if (ip.netmask !== undefined) {
    const mask = parseAddress(ip.netmask, `${path}/@netmask`);
    let bits = 0;
    let seenZero = false;
    for (const byte of mask.bytes) {
      for (let bit = 7; bit >= 0; bit--) {
        if ((byte >> bit) & 1) {
          if (seenZero) return -1;
          bits++;
        } else seenZero = true;
      }
    }
    return bits;
  }
  const b = address.bytes;
  if (address.family === 'ipv4') {
    if (b.every((x) => x === 0)) return 0;
    const octet = b[0]!;
    if ((octet & 0x80) === 0) return 8;
    if ((octet & 0xc0) === 0x80) return 16;
    if ((octet & 0xe0) === 0xc0) return 24;
    return -1;
  }
  return b.every((x) => x === 0) ? 0 : 64;
}

/** The dotted IPv4 netmask of a prefix 0..32. */
export function ipv4Netmask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${mask >>> 24}.${(mask >>> 16) & 255}.${(mask >>> 8) & 255}.${mask & 255}`;
}

function sameSubnet(a: number[], b: number[], prefix: number): boolean {
  for (let i = 0; i < a.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const keep = (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & keep) !== (b[i]! & keep)) return false;
  }
  return true;
}

function allHostBits(bytes: number[], prefix: number, ones: boolean): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const host = ~((0xff << (8 - bits)) & 0xff) & 0xff;
    if ((bytes[i]! & host) !== (ones ? host : 0)) return false;
  }
  return true;
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
  const s = formatParsed(start);
  const e = formatParsed(end);
  const fail = (message: string): never => {
    throw new CompileError('dnsmasq.invalid-range', path, message);
  };
  if (start.family !== end.family) fail(`mismatch of address family in range ${s} - ${e}`);
  const n = formatParsed(network);
  if (start.family !== network.family) fail(`mismatch of address family in range ${s} - ${e} for network ${n}`);
  const max = network.family === 'ipv4' ? 32 : 128;
  if (prefix < 0 || prefix > max) fail(`bad prefix ${prefix} for network ${n} when checking range ${s} - ${e}`);
  if (!sameSubnet(start.bytes, network.bytes, prefix) || !sameSubnet(end.bytes, network.bytes, prefix))
    fail(`range ${s} - ${e} is not entirely within network ${n}/${prefix}`);
  if (start.family === 'ipv4') {
    if (sameSubnet(start.bytes, network.bytes, prefix) && allHostBits(start.bytes, prefix, false))
      fail(`start of range ${s} - ${e} in network ${n}/${prefix} is the network address`);
    if (allHostBits(end.bytes, prefix, true))
      fail(`end of range ${s} - ${e} in network ${n}/${prefix} is the broadcast address`);
    if (start.bytes[0] !== end.bytes[0] || start.bytes[1] !== end.bytes[1])
      fail(`range ${s} - ${e} is too large (> 65535)`);
    const size = (end.bytes[2]! - start.bytes[2]!) * 256 + (end.bytes[3]! - start.bytes[3]!);
    if (size < 0) fail(`range ${s} - ${e} is reversed `);
    return size + 1;
  }
  for (let i = 0; i < 14; i++) if (start.bytes[i] !== end.bytes[i]) fail(`range ${s} - ${e} is too large (> 65535)`);
  const size = ((end.bytes[14]! << 8) | end.bytes[15]!) - ((start.bytes[14]! << 8) | start.bytes[15]!);
  if (size < 0) fail(`range ${s} - ${e} start larger than end`);
  return size + 1;
}

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
