/**
 * `<ip>` with `<tftp>` and `<dhcp>` (ranges, static hosts, bootp).
 *
 * @module
 */
import type { Dhcp, DhcpHost, DhcpRange, Ip, Lease } from '../../model/ip.js';
import { escapeAttribute, escapeRawAttribute } from '../escape.js';
import { children, close, hasUnknown, indent, leafElement, put, slotsFor, unknownAttributes } from './layout.js';

/** `<lease expiry='0'/>` (infinite, no unit) or `<lease expiry unit/>` (unit default minutes). */
function formatLease(lease: Lease, level: number): string {
  const attrs = lease.expiry === 0 ? " expiry='0'" : ` expiry='${lease.expiry}' unit='${lease.unit ?? 'minutes'}'`;
  return leafElement('lease', attrs, lease.unknown, level);
}

/** `<range>`/`<host>`: one line, or a pair around `<lease>` (and unknown children). */
function withLease(name: string, attrs: string, lease: Lease | undefined, unknown: DhcpRange['unknown'], level: number): string {
  if (lease === undefined && unknown === undefined) return `${indent(level)}<${name}${attrs}/>\n`;
  const slots = slotsFor(unknown);
  let body = '';
  if (lease !== undefined) body = put(slots, body, 'lease', formatLease(lease, level + 1));
  body = children(slots, body, unknown, level + 1);
  return `${indent(level)}<${name}${attrs}${unknownAttributes(unknown)}${close(name, body, level)}`;
}

function formatRange(range: DhcpRange, level: number): string {
  return withLease('range', ` start='${range.start}' end='${range.end}'`, range.lease, range.unknown, level);
}

/** mac, id and name are written raw by libvirt (see escapeRawAttribute). */
function formatDhcpHost(host: DhcpHost, level: number): string {
  let attrs = '';
  if (host.mac !== undefined) attrs += ` mac='${host.mac}'`;
  if (host.id !== undefined) attrs += ` id='${escapeRawAttribute(host.id)}'`;
  if (host.name !== undefined) attrs += ` name='${escapeRawAttribute(host.name)}'`;
  attrs += ` ip='${host.ip}'`;
  return withLease('host', attrs, host.lease, host.unknown, level);
}

/**
 * Hosts per flat block in the hot loop of {@link formatDhcp}. Concatenating ten thousand host
 * lines one by one builds a rope of ~50,000 small strings that stays alive until the end, and
 * every young-generation GC copies all of it: the per-host time tripled from 1,000 to 10,000
 * hosts. Joining blocks of 256 lines (~17 KB, below V8's 128 KB large-object threshold) keeps a
 * short rope of flat strings whose pieces die young.
 */
const BLOCK = 256;

/** `<dhcp>`, written only when it has ranges or hosts (a bootp-only dhcp is dropped, as libvirt). */
function formatDhcp(dhcp: Dhcp | undefined, level: number): string {
  if (dhcp === undefined) return '';
  const ranges = dhcp.ranges ?? [];
  const hosts = dhcp.hosts ?? [];
  if (ranges.length === 0 && hosts.length === 0 && !hasUnknown(dhcp.unknown)) return '';
  const inner = level + 1;
  const slots = slotsFor(dhcp.unknown);
  let body = '';
  if (slots === undefined) {
    // The hot loop of large networks: flat blocks of host lines (see BLOCK).
    for (let i = 0; i < ranges.length; i++) body += formatRange(ranges[i]!, inner);
    const block: string[] = [];
    for (let i = 0; i < hosts.length; i++) {
      block.push(formatDhcpHost(hosts[i]!, inner));
      if (block.length === BLOCK) {
        body += block.join('');
        block.length = 0;
      }
    }
    body += block.join('');
  } else {
    for (const r of ranges) body = put(slots, body, 'range', formatRange(r, inner));
    for (const h of hosts) body = put(slots, body, 'host', formatDhcpHost(h, inner));
  }
  const bootp = dhcp.bootp;
  if (bootp !== undefined) {
    let attrs = ` file='${escapeAttribute(bootp.file)}'`;
    if (bootp.server !== undefined) attrs += ` server='${bootp.server}'`;
    body = put(slots, body, 'bootp', leafElement('bootp', attrs, bootp.unknown, inner));
  }
  body = children(slots, body, dhcp.unknown, inner);
  return `${indent(level)}<dhcp${unknownAttributes(dhcp.unknown)}${close('dhcp', body, level)}`;
}

/**
 * `<ip family address netmask prefix localPtr>`, never self-closed. netmask and prefix are
 * written as given (prefix only when non-zero); family raw.
 */
export function formatIp(ip: Ip, level: number): string {
  let attrs = '';
  if (ip.family !== undefined) attrs += ` family='${ip.family}'`;
  attrs += ` address='${ip.address}'`;
  if (ip.netmask !== undefined) attrs += ` netmask='${ip.netmask}'`;
  if (ip.prefix) attrs += ` prefix='${ip.prefix}'`;
  if (ip.localPtr !== undefined) attrs += ` localPtr='${ip.localPtr ? 'yes' : 'no'}'`;
  attrs += unknownAttributes(ip.unknown);
  const inner = level + 1;
  const slots = slotsFor(ip.unknown);
  let body = '';
  if (ip.tftp !== undefined) {
    body = put(slots, body, 'tftp', leafElement('tftp', ` root='${escapeAttribute(ip.tftp.root)}'`, ip.tftp.unknown, inner));
  }
  body = put(slots, body, 'dhcp', formatDhcp(ip.dhcp, inner));
  body = children(slots, body, ip.unknown, inner);
  return `${indent(level)}<ip${attrs}>\n${body}${indent(level)}</ip>\n`;
}
