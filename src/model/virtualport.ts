/**
 * `<virtualport>` and its `<parameters>`.
 *
 * @module
 */
import * as t from 'io-ts';
import { UInt, Uuid } from './scalars.js';
import { Unknown } from './xml-node.js';

/** `<virtualport type>`. */
export const VirtualPortType = t.keyof(
  { '802.1Qbg': null, '802.1Qbh': null, openvswitch: null, midonet: null },
  'VirtualPortType',
);
export type VirtualPortType = t.TypeOf<typeof VirtualPortType>;

/**
 * `<parameters>`: which ones a type allows is checked by the parser, as libvirt does.
 * managerid ≤ 0xff, typeid ≤ 0xffffff, typeidversion ≤ 0xff, profileid ≤ 39 characters.
 */
export const VirtualPortParameters = t.partial(
  {
    managerid: UInt,
    typeid: UInt,
    typeidversion: UInt,
    instanceid: Uuid,
    interfaceid: Uuid,
    profileid: t.string,
    unknown: Unknown,
  },
  'VirtualPortParameters',
);
export type VirtualPortParameters = t.TypeOf<typeof VirtualPortParameters>;

/**
 * `<virtualport type='…'>`. The type is required on the network and optional in a portgroup
 * (where it inherits the network's).
 */
export const VirtualPort = t.partial(
  { type: VirtualPortType, parameters: VirtualPortParameters, unknown: Unknown },
  'VirtualPort',
);
export type VirtualPort = t.TypeOf<typeof VirtualPort>;
