/**
 * `<vlan>` with its `<tag>`s.
 *
 * @module
 */
import * as t from 'io-ts';
import { VlanId } from './scalars.js';
import { Unknown } from './xml-node.js';

/** `<tag nativeMode>`. */
export const VlanNativeMode = t.keyof({ tagged: null, untagged: null }, 'VlanNativeMode');
export type VlanNativeMode = t.TypeOf<typeof VlanNativeMode>;

/** `<tag id='…' nativeMode='…'/>`. */
export const VlanTag = t.intersection(
  [t.type({ id: VlanId }), t.partial({ nativeMode: VlanNativeMode, unknown: Unknown })],
  'VlanTag',
);
export type VlanTag = t.TypeOf<typeof VlanTag>;

/**
 * `<vlan trunk='yes'>`. `trunk` is libvirt's boolean: more than one tag implies it, and the
 * formatter writes `trunk='yes'` only when it is true.
 */
export const Vlan = t.intersection(
  [t.type({ tags: t.array(VlanTag) }), t.partial({ trunk: t.boolean, unknown: Unknown })],
  'Vlan',
);
export type Vlan = t.TypeOf<typeof Vlan>;
