/**
 * `<bandwidth>` with `<inbound>`/`<outbound>` (network and portgroup level).
 *
 * @module
 */
import type { Bandwidth, BandwidthRate } from '../../model/bandwidth.js';
import { children, hasUnknown, indent, leafElement, put, slotsFor, unknownAttributes } from './layout.js';

/** A rate, written only when average or floor is non-zero; zero attributes are left out. */
function formatRate(name: string, rate: BandwidthRate | undefined, level: number): string {
  if (rate === undefined || (!rate.average && !rate.floor && !hasUnknown(rate.unknown))) return '';
  let attrs = '';
  if (rate.average) attrs += ` average='${rate.average}'`;
  if (rate.peak) attrs += ` peak='${rate.peak}'`;
  if (rate.floor) attrs += ` floor='${rate.floor}'`;
  if (rate.burst) attrs += ` burst='${rate.burst}'`;
  return leafElement(name, attrs, rate.unknown, level);
}

/**
 * `<bandwidth>…</bandwidth>`, omitted when it has neither direction (libvirt's parser discards
 * such an element, so libvirt never formats one).
 */
export function formatBandwidth(bandwidth: Bandwidth | undefined, level: number): string {
  if (bandwidth === undefined) return '';
  const { inbound, outbound, unknown } = bandwidth;
  if (inbound === undefined && outbound === undefined && !hasUnknown(unknown)) return '';
  const slots = slotsFor(unknown);
  let body = put(slots, '', 'inbound', formatRate('inbound', inbound, level + 1));
  body = put(slots, body, 'outbound', formatRate('outbound', outbound, level + 1));
  body = children(slots, body, unknown, level + 1);
  return `${indent(level)}<bandwidth${unknownAttributes(unknown)}>\n${body}${indent(level)}</bandwidth>\n`;
}
