/**
 * `<bridge>`, `<mtu>`, `<mac>`, `<domain>` and `<port>`: the settings of the network's own
 * bridge device and its DNS domain.
 *
 * @module
 */
import * as t from 'io-ts';
import { UInt } from './scalars.js';
import { Unknown } from './xml-node.js';

/** `<bridge macTableManager>`. */
export const MacTableManager = t.keyof({ kernel: null, libvirt: null }, 'MacTableManager');
export type MacTableManager = t.TypeOf<typeof MacTableManager>;

/**
 * `<bridge name stp delay zone macTableManager/>`. `stp` defaults to on and `delay` (seconds) to
 * 0; libvirt writes both for nat/route/open/isolated networks. When `name` is absent, a `virbrN`
 * name is allocated when the network is compiled, as libvirt does at define time.
 */
export const Bridge = t.partial(
  {
    name: t.string,
    zone: t.string,
    stp: t.boolean,
    delay: UInt,
    macTableManager: MacTableManager,
    unknown: Unknown,
  },
  'Bridge',
);
export type Bridge = t.TypeOf<typeof Bridge>;

/** `<domain name localOnly register/>`: the DNS domain dnsmasq serves. */
export const Domain = t.intersection(
  [
    t.type({ name: t.string }),
    t.partial({
      /** Answer queries for the domain locally only, never forward them. */
      localOnly: t.boolean,
      /** Register with systemd-resolved; needs `localOnly`. */
      register: t.boolean,
      unknown: Unknown,
    }),
  ],
  'Domain',
);
export type Domain = t.TypeOf<typeof Domain>;

/** `<port isolated/>`: guests on the network cannot talk to each other. */
export const PortSettings = t.partial({ isolated: t.boolean, unknown: Unknown }, 'PortSettings');
export type PortSettings = t.TypeOf<typeof PortSettings>;
