/**
 * `<portgroup>`.
 *
 * @module
 */
import type { PortGroup } from '../../model/portgroup.js';
import { escapeRawAttribute } from '../escape.js';
import { formatBandwidth } from './bandwidth.js';
import { children, indent, put, slotsFor, unknownAttributes } from './layout.js';
import { formatVirtualPort } from './virtualport.js';
import { formatVlan } from './vlan.js';

/**
 * `<portgroup name default trustGuestRxFilters>` with vlan, virtualport, bandwidth in that order;
 * never self-closed. The name is written raw by libvirt (see escapeRawAttribute).
 */
export function formatPortGroup(pg: PortGroup, level: number): string {
  let attrs = ` name='${escapeRawAttribute(pg.name)}'`;
  if (pg.default) attrs += " default='yes'";
  if (pg.trustGuestRxFilters !== undefined) attrs += ` trustGuestRxFilters='${pg.trustGuestRxFilters ? 'yes' : 'no'}'`;
  attrs += unknownAttributes(pg.unknown);
  const inner = level + 1;
  const slots = slotsFor(pg.unknown);
  let body = put(slots, '', 'vlan', formatVlan(pg.vlan, inner));
  body = put(slots, body, 'virtualport', formatVirtualPort(pg.virtualport, inner));
  body = put(slots, body, 'bandwidth', formatBandwidth(pg.bandwidth, inner));
  body = children(slots, body, pg.unknown, inner);
  return `${indent(level)}<portgroup${attrs}>\n${body}${indent(level)}</portgroup>\n`;
}
