/**
 * `<bandwidth>`: QoS limits of the network or of a portgroup.
 *
 * @module
 */
import * as t from 'io-ts';
import { UInt } from './scalars.js';
import { Unknown } from './xml-node.js';

/**
 * `<inbound>` / `<outbound>`: rates in kibibytes per second, burst in kibibytes.
 * libvirt refuses `floor` on a network or portgroup; the field exists because the element shape is
 * shared with domain interfaces, and the parser reports it.
 */
export const BandwidthRate = t.partial(
  { average: UInt, peak: UInt, burst: UInt, floor: UInt, unknown: Unknown },
  'BandwidthRate',
);
export type BandwidthRate = t.TypeOf<typeof BandwidthRate>;

/** `<bandwidth>`. Directions are from the guests' point of view. */
export const Bandwidth = t.partial(
  { inbound: BandwidthRate, outbound: BandwidthRate, unknown: Unknown },
  'Bandwidth',
);
export type Bandwidth = t.TypeOf<typeof Bandwidth>;
