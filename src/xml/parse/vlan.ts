/**
 * `<vlan>` of the network or a portgroup (`virNetDevVlanParse`).
 *
 * @module
 */
import type { VlanId } from '../../model/scalars.js';
import type { Vlan, VlanTag } from '../../model/vlan.js';
import type { XNode } from '../tree.js';
import { collectUnknown, type ParseContext } from './context.js';
import { VLAN_SPEC } from './schema.js';
import { parseCUnsigned } from './scalars.js';

/** Decode `<vlan>`: at least one tag, ids ≤ 4095, one native mode at most, libvirt's trunk rules. */
export function decodeVlan(node: XNode, path: string, ctx: ParseContext): Vlan {
  const tags: VlanTag[] = [];
  let hasNative = false;
  const tagSpec = VLAN_SPEC.children.get('tag')!;
  for (const tag of node.children) {
    if (tag.name !== 'tag') continue;
    const tpath = `${path}/tag[${tags.length + 1}]`;
    const idText = tag.attrs['id'];
    if (idText === undefined)
      ctx.fail('vlan.tag.id.missing', tag, tpath, `A <tag> in the <vlan> of ${ctx.net} has no 'id' attribute.`);
    const r = parseCUnsigned(idText, 10, 0xffffffff);
    if (!r.ok)
      ctx.fail(
        'vlan.tag.id.invalid',
        tag,
        `${tpath}/@id`,
        `Invalid vlan tag id '${idText}' in ${ctx.net}: expected a non-negative integer.`,
      );
    if (r.value > 4095)
      ctx.fail('vlan.tag.id.too-large', tag, `${tpath}/@id`, `The vlan tag id ${r.value} in ${ctx.net} is too large (the maximum is 4095).`);
    const out: VlanTag = { id: r.value as VlanId };
    const native = tag.attrs['nativeMode'];
    if (native !== undefined) {
      if (native !== 'tagged' && native !== 'untagged')
        ctx.fail(
          'vlan.native-mode.invalid',
          tag,
          `${tpath}/@nativeMode`,
          `Invalid nativeMode '${native}' in the <vlan> of ${ctx.net}: expected 'tagged' or 'untagged'.`,
        );
      if (hasNative)
        ctx.fail('vlan.native-mode.duplicate', tag, `${tpath}/@nativeMode`, `The <vlan> of ${ctx.net} has more than one native vlan tag.`);
      hasNative = true;
      out.nativeMode = native;
    }
    if (ctx.preserve) {
      const u = collectUnknown(tag, tagSpec);
      if (u) out.unknown = u;
    }
    tags.push(out);
  }
  if (tags.length === 0)
    ctx.fail('vlan.tag.missing', node, path, `The <vlan> of ${ctx.net} has no <tag id='n'/>; at least one is required.`);
  let trunk = tags.length > 1;
  const trunkText = node.attrs['trunk'];
  if (trunkText !== undefined && trunkText !== '') {
    trunk = trunkText.toLowerCase() === 'yes';
    if (!trunk) {
      if (tags.length > 1)
        ctx.fail(
          'vlan.trunk.required',
          node,
          `${path}/@trunk`,
          `The <vlan> of ${ctx.net} has trunk='${trunkText}', but more than one vlan tag requires trunk='yes'.`,
        );
      if (hasNative)
        ctx.fail('vlan.trunk.no-with-native', node, `${path}/@trunk`, `The <vlan> of ${ctx.net} has trunk='no', which is not allowed with a native vlan tag.`);
      if (trunkText.toLowerCase() !== 'no')
        ctx.fail('vlan.trunk.invalid', node, `${path}/@trunk`, `Invalid trunk='${trunkText}' in the <vlan> of ${ctx.net}: expected 'yes' or 'no'.`);
    }
  }
  const vlan: Vlan = { tags };
  if (trunk) vlan.trunk = true;
  if (ctx.preserve) {
    const u = collectUnknown(node, VLAN_SPEC);
    if (u) vlan.unknown = u;
  }
  return vlan;
}
