/**
 * `<vlan trunk>` with its `<tag id nativeMode/>` (network and portgroup level).
 *
 * @module
 */
import type { Vlan } from '../../model/vlan.js';
import { children, hasUnknown, indent, leafElement, put, slotsFor, unknownAttributes } from './layout.js';

/** `<vlan>` or `<vlan trunk='yes'>`, omitted when it has no tag (libvirt keeps none such). */
export function formatVlan(vlan: Vlan | undefined, level: number): string {
  if (vlan === undefined || (vlan.tags.length === 0 && !hasUnknown(vlan.unknown))) return '';
  const inner = level + 1;
  const slots = slotsFor(vlan.unknown);
  let body = '';
  for (const tag of vlan.tags) {
    const mode = tag.nativeMode === undefined ? '' : ` nativeMode='${tag.nativeMode}'`;
    body = put(slots, body, 'tag', leafElement('tag', ` id='${tag.id}'${mode}`, tag.unknown, inner));
  }
  body = children(slots, body, vlan.unknown, inner);
  const trunk = vlan.trunk ? " trunk='yes'" : '';
  return `${indent(level)}<vlan${trunk}${unknownAttributes(vlan.unknown)}>\n${body}${indent(level)}</vlan>\n`;
}
