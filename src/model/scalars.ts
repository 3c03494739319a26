/**
 * Scalar value codecs shared by every part of the network model.
 *
 * Values that libvirt checks get their own branded type, so a typo in code is caught by the
 * codec (`NetworkCodec.decode`) or by the parser, and a function that needs an address cannot be
 * handed a host name by mistake. The brands are plain strings at run time: they serialise to JSON
 * as they are and print as they are.
 *
 * @module
 */
import * as t from 'io-ts';
import { isIpv4Text, isIpv6Text } from './inet.js';

// --- IP addresses ------------------------------------------------------------------------------

/** Brand of {@link Ipv4Address}. */
export interface Ipv4AddressBrand {
  readonly Ipv4Address: unique symbol;
}

/**
 * A numeric IPv4 address, for example `192.168.122.1`.
 *
 * The codec accepts every form libvirt accepts (glibc `getaddrinfo(AI_NUMERICHOST)`, so the
 * `inet_aton` short forms `10.1`, `012.0.0.1`, `0xa.0.0.1` too), not only the canonical dotted
 * quad: the model is also built by hand, and a value libvirt would take must not be refused.
 * The parser stores the canonical dotted quad (what libvirt formats); the compilers re-format
 * every address through `inet.ts`, so a short form never reaches a command or config line as
 * written.
 */
export const Ipv4Address = t.brand(
  t.string,
  (s): s is t.Branded<string, Ipv4AddressBrand> => isIpv4Text(s),
  'Ipv4Address',
);
export type Ipv4Address = t.TypeOf<typeof Ipv4Address>;

/** Brand of {@link Ipv6Address}. */
export interface Ipv6AddressBrand {
  readonly Ipv6Address: unique symbol;
}

/**
 * An IPv6 address without zone, for example `2001:db8::1`: exactly what glibc `inet_pton`
 * accepts (so `::1.2.3.4` is taken and `::00.1.2.3` refused). Any valid spelling is accepted,
 * as for {@link Ipv4Address}; the parser stores glibc `inet_ntop`'s form, which is what libvirt
 * formats (lowercase, longest zero run compressed, `::a.b.c.d` and `::ffff:a.b.c.d` dotted).
 */
export const Ipv6Address = t.brand(
  t.string,
  (s): s is t.Branded<string, Ipv6AddressBrand> => isIpv6Text(s),
  'Ipv6Address',
);
export type Ipv6Address = t.TypeOf<typeof Ipv6Address>;

/** An IPv4 or IPv6 address. */
export const IpAddress = t.union([Ipv4Address, Ipv6Address], 'IpAddress');
export type IpAddress = t.TypeOf<typeof IpAddress>;

/** The `family` attribute of `<ip>` and `<route>`, stored as written (absent means IPv4). */
export const IpFamily = t.keyof({ ipv4: null, ipv6: null }, 'IpFamily');
export type IpFamily = t.TypeOf<typeof IpFamily>;

// --- MAC addresses -----------------------------------------------------------------------------

/** Brand of {@link MacAddress}. */
export interface MacAddressBrand {
  readonly MacAddress: unique symbol;
}

/**
 * Six groups of one or two hex digits separated by `:`, as libvirt's `virMacAddrParse` accepts.
 * The bridge `<mac>` is stored canonical (lowercase, two digits per group) because libvirt
 * formats it so; a DHCP `<host mac>` is stored verbatim because libvirt writes it back verbatim.
 */
export const MacAddress = t.brand(
  t.string,
  (s): s is t.Branded<string, MacAddressBrand> => /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}$/.test(s),
  'MacAddress',
);
export type MacAddress = t.TypeOf<typeof MacAddress>;

// --- UUIDs -------------------------------------------------------------------------------------

/** Brand of {@link Uuid}. */
export interface UuidBrand {
  readonly Uuid: unique symbol;
}

/** A UUID in lowercase canonical form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export const Uuid = t.brand(
  t.string,
  (s): s is t.Branded<string, UuidBrand> =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s),
  'Uuid',
);
export type Uuid = t.TypeOf<typeof Uuid>;

// --- Numbers -----------------------------------------------------------------------------------

/** Brand of {@link UInt}. */
export interface UIntBrand {
  readonly UInt: unique symbol;
}

/**
 * A non-negative integer that JavaScript represents exactly (at most 2^53 - 1). libvirt's 64-bit
 * counters (lease expiry, bandwidth rates) never need more in practice; the parser refuses larger
 * values with a typed error instead of rounding them.
 */
export const UInt = t.brand(
  t.number,
  (n): n is t.Branded<number, UIntBrand> => Number.isSafeInteger(n) && n >= 0,
  'UInt',
);
export type UInt = t.TypeOf<typeof UInt>;

/** Brand of {@link Port}. */
export interface PortBrand {
  readonly Port: unique symbol;
}

/** A TCP/UDP port number, 0..65535. */
export const Port = t.brand(
  t.number,
  (n): n is t.Branded<number, PortBrand> => Number.isInteger(n) && n >= 0 && n <= 65535,
  'Port',
);
export type Port = t.TypeOf<typeof Port>;

/** Brand of {@link Prefix}. */
export interface PrefixBrand {
  readonly Prefix: unique symbol;
}

/** A network prefix length, 0..128 (0..32 for IPv4, checked by the parser and the validator). */
export const Prefix = t.brand(
  t.number,
  (n): n is t.Branded<number, PrefixBrand> => Number.isInteger(n) && n >= 0 && n <= 128,
  'Prefix',
);
export type Prefix = t.TypeOf<typeof Prefix>;

/** Brand of {@link VlanId}. */
export interface VlanIdBrand {
  readonly VlanId: unique symbol;
}

/** An 802.1Q VLAN id, 0..4095. */
export const VlanId = t.brand(
  t.number,
  (n): n is t.Branded<number, VlanIdBrand> => Number.isInteger(n) && n >= 0 && n <= 4095,
  'VlanId',
);
export type VlanId = t.TypeOf<typeof VlanId>;

// --- Casting helpers ---------------------------------------------------------------------------

/**
 * Narrow a string or number to a branded type, throwing a `TypeError` that names the type when
 * the value does not fit. Handy in tests and in code that builds a model from trusted constants.
 *
 * @example
 * ```ts
 * const gw = brand(Ipv4Address, '192.168.122.1');
 * ```
 */
export function brand<C extends t.Any>(codec: C, value: t.InputOf<C>): t.TypeOf<C> {
  if (codec.is(value)) return value;
  throw new TypeError(`${JSON.stringify(value)} is not a valid ${codec.name}`);
}
