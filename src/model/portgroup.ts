/**
 * `<portgroup>`: named sets of port settings that guest interfaces pick by name.
 *
 * @module
 */
import * as t from 'io-ts';
import { Bandwidth } from './bandwidth.js';
import { VirtualPort } from './virtualport.js';
import { Vlan } from './vlan.js';
import { Unknown } from './xml-node.js';

/** `<portgroup name default trustGuestRxFilters>` with its `vlan`, `virtualport`, `bandwidth`. */
export const PortGroup = t.intersection(
  [
    t.type({ name: t.string }),
    t.partial({
      /** Only one portgroup may be the default; written as `default='yes'` when true. */
      default: t.boolean,
      trustGuestRxFilters: t.boolean,
      vlan: Vlan,
      virtualport: VirtualPort,
      bandwidth: Bandwidth,
      unknown: Unknown,
    }),
  ],
  'PortGroup',
);
export type PortGroup = t.TypeOf<typeof PortGroup>;
