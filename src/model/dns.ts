/**
 * `<dns>`: the records and forwarders dnsmasq serves on the network.
 *
 * @module
 */
import * as t from 'io-ts';
import { IpAddress, Port, UInt } from './scalars.js';
import { Unknown } from './xml-node.js';

/** `<forwarder addr domain/>`: at least one of the two. */
export const DnsForwarder = t.partial({ addr: IpAddress, domain: t.string, unknown: Unknown }, 'DnsForwarder');
export type DnsForwarder = t.TypeOf<typeof DnsForwarder>;

/** `<txt name value/>`. The name may hold neither a space nor a comma. */
export const DnsTxt = t.intersection(
  [t.type({ name: t.string, value: t.string }), t.partial({ unknown: Unknown })],
  'DnsTxt',
);
export type DnsTxt = t.TypeOf<typeof DnsTxt>;

/**
 * `<srv service protocol domain target port priority weight/>`. port/priority/weight are allowed
 * only with a target; 0 means unset for all three (libvirt drops `priority='0'`).
 */
export const DnsSrv = t.intersection(
  [
    t.type({ service: t.string, protocol: t.string }),
    t.partial({ domain: t.string, target: t.string, port: Port, priority: UInt, weight: UInt, unknown: Unknown }),
  ],
  'DnsSrv',
);
export type DnsSrv = t.TypeOf<typeof DnsSrv>;

/** `<host ip>` with one or more `<hostname>`. */
export const DnsHost = t.intersection(
  [t.type({ ip: IpAddress, hostnames: t.array(t.string) }), t.partial({ unknown: Unknown })],
  'DnsHost',
);
export type DnsHost = t.TypeOf<typeof DnsHost>;

/**
 * `<dns enable forwardPlainNames>`. libvirt writes the children grouped: forwarders, txt, srv,
 * host. `enable: false` forbids every child.
 */
export const Dns = t.partial(
  {
    enable: t.boolean,
    forwardPlainNames: t.boolean,
    forwarders: t.array(DnsForwarder),
    txts: t.array(DnsTxt),
    srvs: t.array(DnsSrv),
    hosts: t.array(DnsHost),
    unknown: Unknown,
  },
  'Dns',
);
export type Dns = t.TypeOf<typeof Dns>;
