/**
 * `<bridge>`, `<mtu>`, `<mac>`, `<domain>` and `<port>`: one-line elements about the network's
 * own bridge and DNS domain.
 *
 * @module
 */
import type { Bridge, Domain, PortSettings } from '../../model/bridge.js';
import type { ForwardMode } from '../../model/forward.js';
import type { MacAddress, UInt } from '../../model/scalars.js';
import { escapeAttribute, escapeRawAttribute } from '../escape.js';
import { hasUnknown, indent, leafElement } from './layout.js';

/**
 * `<bridge name zone stp delay macTableManager/>`. For isolated, nat, route and open networks it
 * is always written, with `stp` (default on) and `delay` (default 0); for the other modes only
 * when it has a name or macTableManager, and never with stp/delay.
 */
export function formatBridge(bridge: Bridge | undefined, mode: ForwardMode | undefined, level: number): string {
  const hasBridge = mode === undefined || mode === 'nat' || mode === 'route' || mode === 'open';
  const b = bridge ?? {};
  if (!hasBridge && b.name === undefined && b.macTableManager === undefined && !hasUnknown(b.unknown)) return '';
  let attrs = '';
  if (b.name !== undefined) attrs += ` name='${escapeAttribute(b.name)}'`;
  if (b.zone !== undefined) attrs += ` zone='${escapeAttribute(b.zone)}'`;
  if (hasBridge) attrs += ` stp='${b.stp === false ? 'off' : 'on'}' delay='${b.delay ?? 0}'`;
  if (b.macTableManager !== undefined) attrs += ` macTableManager='${b.macTableManager}'`;
  return leafElement('bridge', attrs, b.unknown, level);
}

/** `<mtu size/>`, omitted when 0 or absent. */
export function formatMtu(mtu: UInt | undefined, level: number): string {
  return mtu ? `${indent(level)}<mtu size='${mtu}'/>\n` : '';
}

/** A MAC as libvirt's `virMacAddrFormat` prints it: `%02x` groups, lowercase. */
function canonicalMac(mac: string): string {
  if (mac.length === 17) return mac.toLowerCase();
  return mac
    .split(':')
    .map((group) => group.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** `<mac address/>`, canonical (the model allows one-digit groups, libvirt prints two). */
export function formatMac(mac: MacAddress | undefined, level: number): string {
  return mac === undefined ? '' : `${indent(level)}<mac address='${canonicalMac(mac)}'/>\n`;
}

/** `<domain name localOnly register/>`; libvirt writes the name raw (see escapeRawAttribute). */
export function formatDomain(domain: Domain | undefined, level: number): string {
  if (domain === undefined) return '';
  let attrs = ` name='${escapeRawAttribute(domain.name)}'`;
  if (domain.localOnly !== undefined) attrs += ` localOnly='${domain.localOnly ? 'yes' : 'no'}'`;
  if (domain.register !== undefined) attrs += ` register='${domain.register ? 'yes' : 'no'}'`;
  return leafElement('domain', attrs, domain.unknown, level);
}

/** `<port isolated/>`, only when `isolated` is set. */
export function formatPort(port: PortSettings | undefined, level: number): string {
  if (port === undefined || (port.isolated === undefined && !hasUnknown(port.unknown))) return '';
  const attrs = port.isolated === undefined ? '' : ` isolated='${port.isolated ? 'yes' : 'no'}'`;
  return leafElement('port', attrs, port.unknown, level);
}
