/**
 * `<virtualport type>` with `<parameters/>` (network and portgroup level).
 *
 * @module
 */
import type { VirtualPort } from '../../model/virtualport.js';
import { escapeRawAttribute } from '../escape.js';
import { children, close, hasUnknown, indent, leafElement, put, slotsFor, unknownAttributes } from './layout.js';

/**
 * As libvirt's `virNetDevVPortProfileFormat`: omitted without type and parameters;
 * `<virtualport type='X'/>` without parameters; otherwise `<parameters>` lists, in this order,
 * managerid, typeid, typeidversion, instanceid (802.1Qbg or no type), interfaceid (midonet,
 * openvswitch or no type) and profileid (openvswitch, 802.1Qbh or no type; written raw).
 */
export function formatVirtualPort(vp: VirtualPort | undefined, level: number): string {
  if (vp === undefined) return '';
  const p = vp.parameters;
  const type = vp.type;
  const hasParameters =
    p !== undefined &&
    (p.managerid !== undefined ||
      p.typeid !== undefined ||
      p.typeidversion !== undefined ||
      p.instanceid !== undefined ||
      p.interfaceid !== undefined ||
      (p.profileid !== undefined && p.profileid !== '') ||
      hasUnknown(p.unknown));
  if (!hasParameters && !hasUnknown(vp.unknown)) {
    return type === undefined ? '' : `${indent(level)}<virtualport type='${type}'/>\n`;
  }
  const typeAttr = type === undefined ? '' : ` type='${type}'`;
  const slots = slotsFor(vp.unknown);
  let body = '';
  if (p !== undefined && hasParameters) {
    const qbg = type === undefined || type === '802.1Qbg';
    let attrs = '';
    if (qbg && p.managerid !== undefined) attrs += ` managerid='${p.managerid}'`;
    if (qbg && p.typeid !== undefined) attrs += ` typeid='${p.typeid}'`;
    if (qbg && p.typeidversion !== undefined) attrs += ` typeidversion='${p.typeidversion}'`;
    if (qbg && p.instanceid !== undefined) attrs += ` instanceid='${p.instanceid}'`;
    if (p.interfaceid !== undefined && (type === undefined || type === 'midonet' || type === 'openvswitch')) {
      attrs += ` interfaceid='${p.interfaceid}'`;
    }
    if (p.profileid && (type === undefined || type === 'openvswitch' || type === '802.1Qbh')) {
      attrs += ` profileid='${escapeRawAttribute(p.profileid)}'`;
    }
    body = put(slots, body, 'parameters', leafElement('parameters', attrs, p.unknown, level + 1));
  }
  body = children(slots, body, vp.unknown, level + 1);
  return `${indent(level)}<virtualport${typeAttr}${unknownAttributes(vp.unknown)}${close('virtualport', body, level)}`;
}
