/**
 * `<ip>` with its `<dhcp>` (ranges, static hosts, bootp) and `<tftp>`.
 *
 * @module
 */
import * as t from 'io-ts';
import { IpAddress, IpFamily, Ipv4Address, MacAddress, Prefix, UInt } from './scalars.js';
import { Unknown } from './xml-node.js';

/** `<lease unit>`; libvirt's default is minutes. */
export const LeaseUnit = t.keyof({ seconds: null, minutes: null, hours: null }, 'LeaseUnit');
export type LeaseUnit = t.TypeOf<typeof LeaseUnit>;

/**
 * `<lease expiry unit/>`. `expiry: 0` means an infinite lease (and the unit is not written);
 * otherwise the lease must be at least 2 minutes.
 */
export const Lease = t.intersection(
  [t.type({ expiry: UInt }), t.partial({ unit: LeaseUnit, unknown: Unknown })],
  'Lease',
);
export type Lease = t.TypeOf<typeof Lease>;

/** `<range start end>`: a dynamic pool, inside the `<ip>` subnet. */
export const DhcpRange = t.intersection(
  [t.type({ start: IpAddress, end: IpAddress }), t.partial({ lease: Lease, unknown: Unknown })],
  'DhcpRange',
);
export type DhcpRange = t.TypeOf<typeof DhcpRange>;

/**
 * `<host mac id name ip>`: a static lease. IPv4 hosts need `mac` or `name`, IPv6 hosts `id` or
 * `name`. `mac`, `id` and `name` are kept exactly as written (libvirt writes them back verbatim,
 * case included).
 */
export const DhcpHost = t.intersection(
  [
    t.type({ ip: IpAddress }),
    t.partial({ mac: MacAddress, id: t.string, name: t.string, lease: Lease, unknown: Unknown }),
  ],
  'DhcpHost',
);
export type DhcpHost = t.TypeOf<typeof DhcpHost>;

/** `<bootp file server/>` (IPv4 only). `server` is a numeric address. */
export const Bootp = t.intersection(
  [t.type({ file: t.string }), t.partial({ server: IpAddress, unknown: Unknown })],
  'Bootp',
);
export type Bootp = t.TypeOf<typeof Bootp>;

/**
 * `<dhcp>`. libvirt drops a `<dhcp>` that has neither ranges nor hosts when formatting, even if it
 * had `<bootp>`.
 */
export const Dhcp = t.partial(
  { ranges: t.array(DhcpRange), hosts: t.array(DhcpHost), bootp: Bootp, unknown: Unknown },
  'Dhcp',
);
export type Dhcp = t.TypeOf<typeof Dhcp>;

/** `<tftp root/>` (IPv4 only). */
export const Tftp = t.intersection([t.type({ root: t.string }), t.partial({ unknown: Unknown })], 'Tftp');
export type Tftp = t.TypeOf<typeof Tftp>;

/**
 * `<ip family address netmask|prefix localPtr>`. `netmask` and `prefix` are kept as given (libvirt
 * never converts one into the other); when neither is given the effective prefix is the classful
 * default for IPv4 and 64 for IPv6 (see `effectivePrefix`). `family` is kept as written: an IPv6
 * address needs `family: 'ipv6'`.
 */
export const Ip = t.intersection(
  [
    t.type({ address: IpAddress }),
    t.partial({
      family: IpFamily,
      netmask: Ipv4Address,
      /** 0 means unset, as in libvirt. */
      prefix: Prefix,
      localPtr: t.boolean,
      tftp: Tftp,
      dhcp: Dhcp,
      unknown: Unknown,
    }),
  ],
  'Ip',
);
export type Ip = t.TypeOf<typeof Ip>;
