/**
 * Numeric IP addresses exactly as libvirt reads and writes them through glibc: parsing like
 * `getaddrinfo(AI_NUMERICHOST)` (IPv4 in every `inet_aton` form, IPv6 like `inet_pton`, no zone
 * index), formatting like `inet_ntop`/`getnameinfo(NI_NUMERICHOST)`, bytes ↔ text ↔ bigint, and
 * netmask/prefix helpers. The one address implementation of the project: the model codecs, the
 * XML parser, the validator, the compilers and the mock backend all read addresses here.
 *
 * Hand-written rather than built on a library: it runs once per DHCP host and DNS record (tens of
 * thousands in a big network), the common dotted quad is checked without allocating, and the
 * corner cases (`10.1`, `012.0.0.1`, `::1.2.3.4`, `::00.1.2.3`) must follow glibc, not an RFC.
 *
 * @module
 */

const MAX_U32 = 0xffffffff;

/** Value of one hex digit character code, or -1. Shared with the C-compatible number readers. */
export function hexDigitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

// --- IPv4 ----------------------------------------------------------------------------------------

/**
 * glibc `inet_aton` (the exact variant getaddrinfo uses since 2.28): one to four parts, each
 * decimal, `0x` hex or `0` octal; the last part fills the remaining bytes (`10.1` = 10.0.0.1).
 * Returns the 32-bit value or -1.
 *
 * @example
 * ```ts
 * parseInetAton('10.1'); // 0x0a000001
 * parseInetAton('08.0.0.1'); // -1 (8 is not an octal digit)
 * ```
 */
export function parseInetAton(s: string): number {
  const parts: number[] = [];
  let i = 0;
  const n = s.length;
  if (n === 0) return -1;
  for (;;) {
    const c = s.charCodeAt(i);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    let radix = 10;
    if (c === 0x30) {
      const x = s.charCodeAt(i + 1);
      if (x === 0x78 || x === 0x58) {
        radix = 16;
        i += 2;
      } else radix = 8;
    }
    let value = 0;
    const digitsStart = i;
    for (; i < n; i++) {
      const d = hexDigitValue(s.charCodeAt(i));
      if (d < 0 || d >= radix) break;
      value = value * radix + d;
      if (value > MAX_U32) return -1;
    }
    // `0x` needs a hex digit after it (`0x` alone is refused); a lone `0` is octal zero.
    if (radix === 16 && i === digitsStart) return -1;
    parts.push(value);
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x2e /* . */ || parts.length === 4) return -1;
    i++;
  }
  const last = parts[parts.length - 1]!;
  switch (parts.length) {
    case 1:
      return last;
    case 2:
      if (parts[0]! > 0xff || last > 0xffffff) return -1;
      return parts[0]! * 0x1000000 + last;
    case 3:
      if (parts[0]! > 0xff || parts[1]! > 0xff || last > 0xffff) return -1;
      return parts[0]! * 0x1000000 + parts[1]! * 0x10000 + last;
    default:
      if (parts[0]! > 0xff || parts[1]! > 0xff || parts[2]! > 0xff || last > 0xff) return -1;
      return parts[0]! * 0x1000000 + parts[1]! * 0x10000 + parts[2]! * 0x100 + last;
  }
}

/**
 * A plain decimal dotted quad without leading zeros, from index `from` to the end; its value or
 * -1. No allocation. This is the fast path for IPv4 and, exactly, glibc `inet_pton4` (the IPv4
 * tail of an IPv6 address, where leading zeros and short forms are refused).
 */
function parsePlainQuad(s: string, from = 0): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && part === 0) return -1; // leading zero (octal for inet_aton)
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/**
 * The 32-bit value of a numeric IPv4 address in any form getaddrinfo accepts (`10.1`,
 * `0x0a.0.0.1`, `167772161`), or -1. The common canonical dotted quad costs no allocation.
 *
 * @example
 * ```ts
 * ipv4Value('192.168.122.1'); // 3232266753
 * ipv4Value('::1'); // -1
 * ```
 */
export function ipv4Value(s: string): number {
  const quick = parsePlainQuad(s);
  return quick >= 0 ? quick : parseInetAton(s);
}

/** True when `s` is already the canonical dotted quad (what {@link formatIpv4} writes). */
export function isCanonicalIpv4(s: string): boolean {
  return parsePlainQuad(s) >= 0;
}

/** The dotted quad of a 32-bit value (`inet_ntop(AF_INET)`). */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

// --- IPv6 ----------------------------------------------------------------------------------------

/**
 * glibc `inet_pton(AF_INET6)`: the 16 bytes, or undefined. A zone index (`%eth0`) is refused:
 * the model has no place for one.
 */
export function parseIpv6Bytes(s: string): Uint8Array | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  const words: number[] = [];
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return undefined;
    i = 1; // the second ':' is read by the loop as a separator
  }
  let groupStart = i;
  let value = 0;
  let digits = 0;
  let ipv4Tail = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    const d = hexDigitValue(c);
    if (d >= 0) {
      value = value * 16 + d;
      if (++digits > 4) return undefined;
      continue;
    }
    if (c === 0x3a) {
      if (digits === 0) {
        if (gap >= 0 || i !== groupStart) return undefined;
        gap = words.length;
        groupStart = i + 1;
        continue;
      }
      if (i + 1 === n) return undefined; // trailing single ':'
      words.push(value);
      if (words.length > 8) return undefined;
      value = 0;
      digits = 0;
      groupStart = i + 1;
      continue;
    }
    if (c === 0x2e) {
      // An IPv4 tail (strict dotted decimal), only where two groups are still free.
      const q = parsePlainQuad(s, groupStart);
      if (q < 0) return undefined;
      words.push(q >>> 16, q & 0xffff);
      ipv4Tail = true;
      break;
    }
    return undefined;
  }
  if (!ipv4Tail && digits > 0) words.push(value);
  if (gap >= 0) {
    if (words.length >= 8) return undefined;
    words.splice(gap, 0, ...new Array<number>(8 - words.length).fill(0));
  } else if (words.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  for (let w = 0; w < 8; w++) {
    bytes[w * 2] = words[w]! >> 8;
    bytes[w * 2 + 1] = words[w]! & 255;
  }
  return bytes;
}

/**
 * glibc `inet_ntop(AF_INET6)`: lowercase, the longest run (≥ 2) of zero groups compressed (the
 * first one on a tie), and IPv4-compatible (`::a.b.c.d`) and -mapped (`::ffff:a.b.c.d`)
 * addresses written with a dotted tail.
 *
 * @example
 * ```ts
 * formatIpv6(parseIpv6Bytes('0:0:0:0:0:ffff:a01:203')!); // '::ffff:10.1.2.3'
 * ```
 */
export function formatIpv6(bytes: Uint8Array | readonly number[]): string {
  const words: number[] = [];
  for (let w = 0; w < 8; w++) words.push((bytes[w * 2]! << 8) | bytes[w * 2 + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  for (let w = 0; w < 8; ) {
    if (words[w] !== 0) {
      w++;
      continue;
    }
    let end = w;
    while (end < 8 && words[end] === 0) end++;
    if (end - w > bestLen) {
      bestBase = w;
      bestLen = end - w;
    }
    w = end;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let w = 0; w < 8; w++) {
    if (bestBase >= 0 && w >= bestBase && w < bestBase + bestLen) {
      if (w === bestBase) out += ':';
      continue;
    }
    if (w !== 0) out += ':';
    if (w === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return `${out}${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
    }
    out += words[w]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

// --- Either family -------------------------------------------------------------------------------

/** A parsed numeric address: its family, 4 or 16 bytes, and its canonical (inet_ntop) text. */
export interface ParsedIp {
  v6: boolean;
  bytes: Uint8Array;
  text: string;
}

function ipv4Bytes(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

/**
 * `virSocketAddrParse(…, AF_UNSPEC)` (getaddrinfo with `AI_NUMERICHOST`): a numeric IPv4 address
 * in any inet_aton form, or an IPv6 address without zone. Undefined when glibc would refuse it.
 * IPv6 is tried only for text holding a `:`, as getaddrinfo does.
 *
 * @example
 * ```ts
 * parseIp('10.1')?.text; // '10.0.0.1'
 * parseIp('::1.2.3.4')?.text; // '::1.2.3.4'
 * parseIp('::00.1.2.3'); // undefined
 * ```
 */
export function parseIp(s: string): ParsedIp | undefined {
  const quick = parsePlainQuad(s);
  if (quick >= 0) return { v6: false, bytes: ipv4Bytes(quick), text: s };
  if (s.indexOf(':') < 0) {
    const v = parseInetAton(s);
    return v < 0 ? undefined : { v6: false, bytes: ipv4Bytes(v), text: formatIpv4(v) };
  }
  const bytes = parseIpv6Bytes(s);
  return bytes === undefined ? undefined : { v6: true, bytes, text: formatIpv6(bytes) };
}

/**
 * The canonical text of a numeric address (what libvirt writes back), or undefined. The common
 * canonical dotted quad is checked without allocating and returned as it is.
 *
 * @example
 * ```ts
 * canonicalIp('2001:DB8:0:0:0:0:0:1'); // '2001:db8::1'
 * ```
 */
export function canonicalIp(s: string): string | undefined {
  if (parsePlainQuad(s) >= 0) return s;
  return parseIp(s)?.text;
}

/** True for a numeric IPv4 address getaddrinfo accepts (any inet_aton form). */
export function isIpv4Text(s: string): boolean {
  return s.indexOf(':') < 0 && ipv4Value(s) >= 0;
}

/** True for a numeric IPv6 address inet_pton accepts (no zone index). */
export function isIpv6Text(s: string): boolean {
  return s.indexOf(':') >= 0 && parseIpv6Bytes(s) !== undefined;
}

/**
 * The text of 4 or 16 bytes (`inet_ntop`).
 *
 * @example
 * ```ts
 * formatBytes([10, 0, 0, 1]); // '10.0.0.1'
 * ```
 */
export function formatBytes(bytes: Uint8Array | readonly number[]): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length === 16) return formatIpv6(bytes);
  throw new RangeError(`an address has 4 or 16 bytes, not ${bytes.length}`);
}

/** The bytes as one unsigned bigint (big-endian), for range arithmetic. */
export function bytesToBigInt(bytes: Uint8Array | readonly number[]): bigint {
  if (bytes.length === 4) return BigInt(((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!);
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** `length` (4 or 16) big-endian bytes of `value` (taken modulo 2^(8·length)). */
export function bigIntToBytes(value: bigint, length: 4 | 16): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

// --- Prefixes and netmasks -----------------------------------------------------------------------

/**
 * The prefix length of a netmask's bytes (`virSocketAddrGetNumNetmaskBits`), or -1 when its ones
 * are not contiguous.
 *
 * @example
 * ```ts
 * netmaskBits(parseIp('255.255.255.0')!.bytes); // 24
 * ```
 */
export function netmaskBits(bytes: Uint8Array | readonly number[]): number {
  let bits = 0;
  let i = 0;
  while (i < bytes.length && bytes[i] === 0xff) {
    bits += 8;
    i++;
  }
  if (i === bytes.length) return bits;
  const b = bytes[i]!;
  // A partial byte is ones then zeros: its inverse plus one is a power of two.
  const inv = ~b & 0xff;
  if ((inv & (inv + 1)) !== 0) return -1;
  bits += 8 - Math.log2(inv + 1);
  for (i++; i < bytes.length; i++) if (bytes[i] !== 0) return -1;
  return bits;
}

/** The dotted IPv4 netmask of a prefix length 0..32. */
export function ipv4Netmask(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/**
 * The bytes with the host part (after `prefix` bits) cleared (`fill` 0: the network address) or
 * set (`fill` 255: the last address, IPv4's broadcast).
 */
export function maskHostBits(bytes: Uint8Array | readonly number[], prefix: number, fill: 0 | 255): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const keep = (0xff << (8 - bits)) & 0xff;
    out[i] = fill === 0 ? bytes[i]! & keep : (bytes[i]! & keep) | (~keep & 0xff);
  }
  return out;
}

/** True when the first `prefix` bits of `a` and `b` agree. */
export function samePrefix(a: Uint8Array | readonly number[], b: Uint8Array | readonly number[], prefix: number): boolean {
  for (let i = 0; i < a.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const keep = (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & keep) !== (b[i]! & keep)) return false;
  }
  return true;
}

/** True when every bit after the first `prefix` is one (`ones`) or zero. */
export function hostBitsAre(bytes: Uint8Array | readonly number[], prefix: number, ones: boolean): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const host = ~((0xff << (8 - bits)) & 0xff) & 0xff;
    if ((bytes[i]! & host) !== (ones ? host : 0)) return false;
  }
  return true;
}

/** An address as the prefix and range helpers read it. */
export interface InetBytes {
  v6: boolean;
  bytes: Uint8Array;
}

/**
 * `virSocketAddrGetIPPrefix`: `prefix` when positive, else the netmask's bit count (-1 when not
 * contiguous), else for IPv4 0 for 0.0.0.0 and the classful prefix (A 8, B 16, C 24, -1 for
 * D/E), for IPv6 0 for `::` and 64 otherwise.
 *
 * @example
 * ```ts
 * libvirtPrefix(parseIp('172.16.0.1')!, undefined, undefined); // 16
 * ```
 */
export function libvirtPrefix(address: InetBytes, netmask: Uint8Array | undefined, prefix: number | undefined): number {
  if (prefix !== undefined && prefix > 0) return prefix;
  if (netmask !== undefined) return netmaskBits(netmask);
  const b = address.bytes;
  if (b.every((x) => x === 0)) return 0;
  if (address.v6) return 64;
  const octet = b[0]!;
  if ((octet & 0x80) === 0) return 8;
  if ((octet & 0xc0) === 0x80) return 16;
  if ((octet & 0xe0) === 0xc0) return 24;
  return -1;
}

/** Why `virSocketAddrGetRange` refuses a range; see {@link rangeFault}. */
export type RangeFault =
  | 'family-mismatch'
  | 'network-family-mismatch'
  | 'bad-prefix'
  | 'outside-network'
  | 'network-address'
  | 'broadcast-address'
  | 'too-large'
  | 'reversed';

/**
 * `virSocketAddrGetRange(start, end, network, prefix)`'s checks, in its order: same family, the
 * network's family and a valid prefix, inside the network, for IPv4 neither the network nor the
 * broadcast address, at most the last two bytes differing (IPv6: the last group), not reversed.
 * With no network (NAT address ranges) only the family, size and order checks run. Undefined
 * when the range is fine; then {@link rangeCount} is its size.
 */
export function rangeFault(start: InetBytes, end: InetBytes, network?: InetBytes, prefix = -1): RangeFault | undefined {
  if (start.v6 !== end.v6) return 'family-mismatch';
  const s = start.bytes;
  const e = end.bytes;
  if (network !== undefined) {
    if (start.v6 !== network.v6) return 'network-family-mismatch';
    if (prefix < 0 || prefix > (start.v6 ? 128 : 32)) return 'bad-prefix';
    if (!samePrefix(s, network.bytes, prefix) || !samePrefix(e, network.bytes, prefix)) return 'outside-network';
    if (!start.v6) {
      if (hostBitsAre(s, prefix, false)) return 'network-address';
      if (hostBitsAre(e, prefix, true)) return 'broadcast-address';
    }
  }
  if (!start.v6) {
    if (s[0] !== e[0] || s[1] !== e[1]) return 'too-large';
  } else {
    for (let i = 0; i < 14; i++) if (s[i] !== e[i]) return 'too-large';
  }
  return rangeCount(start, end) <= 0 ? 'reversed' : undefined;
}

/** Addresses from `start` to `end` inclusive, counting only the last 16 bits (as libvirt does). */
export function rangeCount(start: InetBytes, end: InetBytes): number {
  const s = start.bytes;
  const e = end.bytes;
  const n = s.length;
  return ((e[n - 2]! << 8) | e[n - 1]!) - ((s[n - 2]! << 8) | s[n - 1]!) + 1;
}
