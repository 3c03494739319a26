/**
 * Scalar readers with the exact acceptance rules of the C functions libvirt uses: `strtoull`
 * numbers, glibc `getaddrinfo(AI_NUMERICHOST)` addresses (with `inet_aton` short forms),
 * `virMacAddrParse`, `virUUIDParse`. Each returns `undefined` for a value C would refuse; the
 * caller reports it with its own error code, as libvirt reports each with its own message.
 *
 * @module
 */

const MAX_U32 = 0xffffffff;

function isCSpace(c: number): boolean {
  // C isspace in the "C" locale: space, \t \n \v \f \r.
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Result of {@link parseCUnsigned}: the value, or why it was refused. */
export type CNumber = { ok: true; value: number } | { ok: false; tooLarge: boolean };

/**
 * `strtoull` on the whole string: leading whitespace and one `+` allowed, `-` refused (libvirt's
 * `…_ulp`/`_uip` "positive" variants), base 10 or base 0 (`0x` hex, leading `0` octal), nothing
 * after the digits. `max` is the C type's limit; values beyond it, or beyond 2^53 - 1 (the largest
 * the model holds exactly), are refused with `tooLarge`.
 */
export function parseCUnsigned(s: string, base: 0 | 10, max: number = Number.MAX_SAFE_INTEGER): CNumber {
  let i = 0;
  const n = s.length;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  if (i < n && s.charCodeAt(i) === 0x2b /* + */) i++;
  let radix = 10;
  if (base === 0 && i < n && s.charCodeAt(i) === 0x30) {
    const x = s.charCodeAt(i + 1);
    if ((x === 0x78 || x === 0x58) && i + 2 < n && hexValue(s.charCodeAt(i + 2)) >= 0) {
      radix = 16;
      i += 2;
    } else radix = 8;
  }
  const start = i;
  let value = 0;
  for (; i < n; i++) {
    const d = hexValue(s.charCodeAt(i));
    if (d < 0 || d >= radix) break;
    value = value * radix + d;
  }
  if (i === start || i !== n) return { ok: false, tooLarge: false };
  if (value > max || !Number.isSafeInteger(value)) return { ok: false, tooLarge: true };
  return { ok: true, value };
}

/**
 * `virStrToLong_ui` base 10 as used for `<mtu size>`: like {@link parseCUnsigned}, but a minus
 * sign is accepted and wraps modulo 2^32 (`-1` → 4294967295), as `strtoul` does.
 */
export function parseCUIntWrapping(s: string): number | undefined {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) === 0x2d /* - */) {
    const r = parseCUnsigned(s.slice(i + 1), 10, MAX_U32);
    // A second sign is refused by strtoul; parseCUnsigned would accept "+".
    if (!r.ok || s.charCodeAt(i + 1) === 0x2b || isCSpace(s.charCodeAt(i + 1))) return undefined;
    return r.value === 0 ? 0 : 2 ** 32 - r.value;
  }
  const r = parseCUnsigned(s, 10, MAX_U32);
  return r.ok ? r.value : undefined;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

// --- Yes/no values -------------------------------------------------------------------------------

/** `virXMLPropTristateBool`: exactly `yes` or `no`; `null` for anything else. */
export function parseYesNo(s: string): boolean | null {
  if (s === 'yes') return true;
  if (s === 'no') return false;
  return null;
}

/** Case-insensitive `yes` (libvirt's `STRCASEEQ(x, "yes")` booleans). */
export function isCaseYes(s: string): boolean {
  return s.length === 3 && s.toLowerCase() === 'yes';
}

// --- IP addresses --------------------------------------------------------------------------------

/** A parsed numeric address: 4 or 16 bytes, plus its canonical text. */
export interface ParsedIp {
  v6: boolean;
  bytes: Uint8Array;
  text: string;
}

/**
 * glibc `inet_aton` (the exact variant getaddrinfo uses since 2.28): one to four parts, each
 * decimal, `0x` hex or `0` octal; the last part fills the remaining bytes (`10.1` = 10.0.0.1).
 * Returns the 32-bit value or -1.
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
    for (; i < n; i++) {
      const d = hexValue(s.charCodeAt(i));
      if (d < 0 || d >= radix) break;
      value = value * radix + d;
      if (value > MAX_U32) return -1;
    }
    parts.push(value);
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x2e /* . */ || parts.length === 4) return -1;
    i++;
  }
  const last = parts[parts.length - 1]!;
  let value: number;
  switch (parts.length) {
    case 1:
      value = last;
      break;
    case 2:
      if (parts[0]! > 0xff || last > 0xffffff) return -1;
      value = parts[0]! * 0x1000000 + last;
      break;
    case 3:
      if (parts[0]! > 0xff || parts[1]! > 0xff || last > 0xffff) return -1;
      value = parts[0]! * 0x1000000 + parts[1]! * 0x10000 + last;
      break;
    default:
      if (parts[0]! > 0xff || parts[1]! > 0xff || parts[2]! > 0xff || last > 0xff) return -1;
      value = parts[0]! * 0x1000000 + parts[1]! * 0x10000 + parts[2]! * 0x100 + last;
  }
  return value;
}

/** Fast path: a plain decimal dotted quad without leading zeros; its value or -1. */
function parsePlainQuad(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && part === 0) return -1; // leading zero: octal, take the slow path
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

function quadText(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** glibc `inet_pton4` (the IPv4 tail of an IPv6 address): four decimal parts, no leading zeros. */
function parseStrictQuad(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || (p.length > 1 && p.charCodeAt(0) === 0x30)) return undefined;
    let v = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return undefined;
      v = v * 10 + c - 0x30;
    }
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

/** glibc `inet_pton(AF_INET6)`: 16 bytes or undefined. */
function parseInet6(s: string): Uint8Array | undefined {
  const words: number[] = [];
  let gap = -1;
  let i = 0;
  const n = s.length;
  if (n === 0) return undefined;
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
    const d = hexValue(c);
    if (d >= 0) {
      value = value * 16 + d;
      if (++digits > 4) return undefined;
      continue;
    }
    if (c === 0x3a) {
      if (digits === 0) {
        if (gap >= 0) return undefined;
        if (i !== groupStart) return undefined;
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
      // An IPv4 tail: strict dotted decimal (inet_pton4: no leading zeros, exactly four parts).
      const q = parseStrictQuad(s.slice(groupStart));
      if (q === undefined) return undefined;
      words.push((q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!);
      ipv4Tail = true;
      digits = 0;
      break;
    }
    return undefined;
  }
  if (!ipv4Tail && digits > 0) words.push(value);
  if (words.length > 8) return undefined;
  if (gap >= 0) {
    if (words.length === 8) return undefined;
    const fill = new Array<number>(8 - words.length).fill(0);
    words.splice(gap, 0, ...fill);
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
 * first one on a tie), and IPv4-compatible/-mapped addresses written with a dotted tail.
 */
export function formatIpv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let w = 0; w < 8; w++) words.push((bytes[w * 2]! << 8) | bytes[w * 2 + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let w = 0; w < 8; w++) {
    if (words[w] === 0) {
      if (curBase < 0) {
        curBase = w;
        curLen = 1;
      } else curLen++;
    } else if (curBase >= 0) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase >= 0 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
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
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += words[w]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/**
 * `virSocketAddrParse(…, AF_UNSPEC)`: a numeric IPv4 address (inet_aton forms) or IPv6 address
 * (no zone index: the model has no place for one). Returns undefined when C would refuse it.
 */
export function parseIp(s: string): ParsedIp | undefined {
  const quick = parsePlainQuad(s);
  if (quick >= 0) {
    const bytes = new Uint8Array([quick >>> 24, (quick >>> 16) & 255, (quick >>> 8) & 255, quick & 255]);
    return { v6: false, bytes, text: s };
  }
  if (s.indexOf(':') < 0) {
    const v = parseInetAton(s);
    if (v < 0) return undefined;
    const bytes = new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
    return { v6: false, bytes, text: quadText(v) };
  }
  const bytes = parseInet6(s);
  if (bytes === undefined) return undefined;
  return { v6: true, bytes, text: formatIpv6(bytes) };
}

/**
 * {@link parseIp} for callers that only need the canonical text (IPv6 when it holds a `:`):
 * the common dotted quad is checked without allocating.
 */
export function canonicalIp(s: string): string | undefined {
  if (parsePlainQuad(s) >= 0) return s;
  return parseIp(s)?.text;
}

// --- MAC addresses and UUIDs ---------------------------------------------------------------------

/**
 * `virMacAddrParse`: six groups of one or two hex digits separated by `:`; after the sixth group
 * only a character ≤ space may follow. Returns the six bytes or undefined.
 */
export function parseMac(s: string): Uint8Array | undefined {
  const out = new Uint8Array(6);
  let i = 0;
  for (let g = 0; g < 6; g++) {
    const d0 = hexValue(s.charCodeAt(i));
    if (d0 < 0) return undefined;
    let v = d0;
    let j = i + 1;
    // strtoul reads all hex digits; more than two is refused.
    while (hexValue(s.charCodeAt(j)) >= 0) {
      v = v * 16 + hexValue(s.charCodeAt(j));
      j++;
    }
    if (j - i > 2) return undefined;
    out[g] = v;
    if (g === 5) {
      if (j < s.length && s.charCodeAt(j) > 0x20) return undefined;
      return out;
    }
    if (s.charCodeAt(j) !== 0x3a) return undefined;
    i = j + 1;
  }
  return undefined;
}

/**
 * {@link parseMac} without allocating: the first byte (whose low bit marks multicast) or -1 when
 * the text is not a MAC address.
 */
export function macFirstByte(s: string): number {
  let i = 0;
  let first = -1;
  for (let g = 0; g < 6; g++) {
    const d0 = hexValue(s.charCodeAt(i));
    if (d0 < 0) return -1;
    let v = d0;
    let j = i + 1;
    const d1 = hexValue(s.charCodeAt(j));
    if (d1 >= 0) {
      v = v * 16 + d1;
      j++;
      if (hexValue(s.charCodeAt(j)) >= 0) return -1;
    }
    if (g === 0) first = v;
    if (g === 5) return j < s.length && s.charCodeAt(j) > 0x20 ? -1 : first;
    if (s.charCodeAt(j) !== 0x3a) return -1;
    i = j + 1;
  }
  return -1;
}

/** A MAC address in libvirt's output form: lowercase, two digits per byte. */
export function formatMac(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 6; i++) out += (i ? ':' : '') + bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

/**
 * `virUUIDParse`: leading whitespace, then 32 hex digits in pairs with `-` or space allowed
 * between pairs, then only whitespace. Returns the canonical lowercase form or undefined.
 */
export function parseUuid(s: string): string | undefined {
  let i = 0;
  const n = s.length;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let hex = '';
  while (hex.length < 32) {
    if (i >= n) return undefined;
    const c = s.charCodeAt(i);
    if (c === 0x2d || c === 0x20) {
      i++;
      continue;
    }
    if (hexValue(c) < 0 || hexValue(s.charCodeAt(i + 1)) < 0) return undefined;
    hex += s.slice(i, i + 2);
    i += 2;
  }
  for (; i < n; i++) if (!isCSpace(s.charCodeAt(i))) return undefined;
  hex = hex.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
