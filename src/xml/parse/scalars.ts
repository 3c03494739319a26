/**
 * Scalar readers with the exact acceptance rules of the C functions libvirt uses: `strtoull`
 * numbers, glibc `getaddrinfo(AI_NUMERICHOST)` addresses (with `inet_aton` short forms),
 * `virMacAddrParse`, `virUUIDParse`. Each returns `undefined` for a value C would refuse; the
 * caller reports it with its own error code, as libvirt reports each with its own message.
 *
 * @module
 */
import { hexDigitValue } from '../../model/inet.js';

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
    if ((x === 0x78 || x === 0x58) && i + 2 < n && hexDigitValue(s.charCodeAt(i + 2)) >= 0) {
      radix = 16;
      i += 2;
    } else radix = 8;
  }
  const start = i;
  let value = 0;
  for (; i < n; i++) {
    const d = hexDigitValue(s.charCodeAt(i));
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

// One implementation for the whole project, in the model layer; re-exported for the decoders.
export { canonicalIp, formatIpv6, parseInetAton, parseIp, type ParsedIp } from '../../model/inet.js';

// --- MAC addresses and UUIDs ---------------------------------------------------------------------

/**
 * `virMacAddrParse`: six groups of one or two hex digits separated by `:`; after the sixth group
 * only a character ≤ space may follow. Returns the six bytes or undefined.
 */
export function parseMac(s: string): Uint8Array | undefined {
  const out = new Uint8Array(6);
  let i = 0;
  for (let g = 0; g < 6; g++) {
    const d0 = hexDigitValue(s.charCodeAt(i));
    if (d0 < 0) return undefined;
    let v = d0;
    let j = i + 1;
    // strtoul reads all hex digits; more than two is refused.
    while (hexDigitValue(s.charCodeAt(j)) >= 0) {
      v = v * 16 + hexDigitValue(s.charCodeAt(j));
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
    const d0 = hexDigitValue(s.charCodeAt(i));
    if (d0 < 0) return -1;
    let v = d0;
    let j = i + 1;
    const d1 = hexDigitValue(s.charCodeAt(j));
    if (d1 >= 0) {
      v = v * 16 + d1;
      j++;
      if (hexDigitValue(s.charCodeAt(j)) >= 0) return -1;
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
    if (hexDigitValue(c) < 0 || hexDigitValue(s.charCodeAt(i + 1)) < 0) return undefined;
    hex += s.slice(i, i + 2);
    i += 2;
  }
  for (; i < n; i++) if (!isCSpace(s.charCodeAt(i))) return undefined;
  hex = hex.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
