/**
 * `<forward>`: how the network reaches the outside, and the device pools of the pass-through
 * modes.
 *
 * @module
 */
import * as t from 'io-ts';
import { Ipv4Address, Port, UInt } from './scalars.js';
import { Unknown } from './xml-node.js';

/**
 * Forward modes. A network without `<forward>` is isolated (libvirt's mode `none`); the first four
 * modes are "virtual" networks with a bridge libvirt creates, the others use existing devices.
 */
export const ForwardMode = t.keyof(
  {
    nat: null,
    route: null,
    open: null,
    bridge: null,
    private: null,
    vepa: null,
    passthrough: null,
    hostdev: null,
  },
  'ForwardMode',
);
export type ForwardMode = t.TypeOf<typeof ForwardMode>;

/** `<nat><address start end/>`: SNAT source addresses (IPv4), at most 65536 of them. */
export const NatAddressRange = t.intersection(
  [t.type({ start: Ipv4Address, end: Ipv4Address }), t.partial({ unknown: Unknown })],
  'NatAddressRange',
);
export type NatAddressRange = t.TypeOf<typeof NatAddressRange>;

/** `<nat><port start end/>`: source ports for masquerading; `end: 0` is not written. */
export const NatPortRange = t.intersection(
  [t.type({ start: Port, end: Port }), t.partial({ unknown: Unknown })],
  'NatPortRange',
);
export type NatPortRange = t.TypeOf<typeof NatPortRange>;

/** `<nat ipv6='yes'>`: also masquerade IPv6 (libvirt ≥ 6.0). */
export const ForwardNat = t.partial(
  { ipv6: t.boolean, address: NatAddressRange, port: NatPortRange, unknown: Unknown },
  'ForwardNat',
);
export type ForwardNat = t.TypeOf<typeof ForwardNat>;

/** `<interface dev/>` of the forward pool (or the single uplink of nat/route). */
export const ForwardInterface = t.intersection(
  [t.type({ dev: t.string }), t.partial({ connections: UInt, unknown: Unknown })],
  'ForwardInterface',
);
export type ForwardInterface = t.TypeOf<typeof ForwardInterface>;

/** `<address type='pci' domain bus slot function/>` of a hostdev pool. */
export const PciAddress = t.intersection(
  [
    t.type({ domain: UInt, bus: UInt, slot: UInt, function: UInt }),
    t.partial({ connections: UInt, unknown: Unknown }),
  ],
  'PciAddress',
);
export type PciAddress = t.TypeOf<typeof PciAddress>;

/** `<pf dev/>`: the SR-IOV physical function whose virtual functions form the pool. */
export const ForwardPf = t.intersection([t.type({ dev: t.string }), t.partial({ unknown: Unknown })], 'ForwardPf');
export type ForwardPf = t.TypeOf<typeof ForwardPf>;

/** `<driver name model/>` for hostdev pools. */
export const ForwardDriver = t.partial(
  { name: t.keyof({ kvm: null, vfio: null, xen: null }), model: t.string, unknown: Unknown },
  'ForwardDriver',
);
export type ForwardDriver = t.TypeOf<typeof ForwardDriver>;

/**
 * `<forward mode dev managed>`. The `dev` attribute is not a field of its own: as in libvirt it is
 * the first entry of `interfaces`, and the formatter writes `dev='…'` from it.
 *
 * @example
 * ```ts
 * const forward: Forward = { mode: 'nat', interfaces: [{ dev: 'eth0' }] };
 * ```
 */
export const Forward = t.intersection(
  [
    t.type({ mode: ForwardMode }),
    t.partial({
      /** hostdev only: let libvirt detach the VFs from the host driver. */
      managed: t.boolean,
      driver: ForwardDriver,
      nat: ForwardNat,
      pf: ForwardPf,
      interfaces: t.array(ForwardInterface),
      addresses: t.array(PciAddress),
      unknown: Unknown,
    }),
  ],
  'Forward',
);
export type Forward = t.TypeOf<typeof Forward>;
