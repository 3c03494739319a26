/**
 * `<route>`: static routes added through the network's bridge.
 *
 * @module
 */
import * as t from 'io-ts';
import { IpAddress, IpFamily, Ipv4Address, Prefix, UInt } from './scalars.js';
import { Unknown } from './xml-node.js';

/**
 * `<route family address netmask|prefix gateway metric/>`. `address` must be a network address;
 * `gateway` must lie inside one of the network's `<ip>` subnets. `prefix` is kept when given, even
 * `0` (libvirt writes it back); `metric` 0 means unset.
 */
export const Route = t.intersection(
  [
    t.type({ address: IpAddress, gateway: IpAddress }),
    t.partial({ family: IpFamily, netmask: Ipv4Address, prefix: Prefix, metric: UInt, unknown: Unknown }),
  ],
  'Route',
);
export type Route = t.TypeOf<typeof Route>;
