/**
 * `<dns>`: forwarders, TXT, SRV and host records.
 *
 * @module
 */
import type { Dns, DnsHost, DnsSrv } from '../../model/dns.js';
import { escapeAttribute, escapeText } from '../escape.js';
import { children, close, hasUnknown, indent, leafElement, put, slotsFor, unknownAttributes } from './layout.js';

function formatSrv(srv: DnsSrv, level: number): string {
  let attrs = ` service='${escapeAttribute(srv.service)}' protocol='${escapeAttribute(srv.protocol)}'`;
  if (srv.domain !== undefined) attrs += ` domain='${escapeAttribute(srv.domain)}'`;
  if (srv.target !== undefined) attrs += ` target='${escapeAttribute(srv.target)}'`;
  // 0 means unset for all three: libvirt drops priority='0' and weight='0'.
  if (srv.port) attrs += ` port='${srv.port}'`;
  if (srv.priority) attrs += ` priority='${srv.priority}'`;
  if (srv.weight) attrs += ` weight='${srv.weight}'`;
  return leafElement('srv', attrs, srv.unknown, level);
}

function formatHost(host: DnsHost, level: number): string {
  const inner = indent(level + 1);
  const slots = slotsFor(host.unknown);
  let body = '';
  for (const name of host.hostnames) body = put(slots, body, 'hostname', `${inner}<hostname>${escapeText(name)}</hostname>\n`);
  body = children(slots, body, host.unknown, level + 1);
  return `${indent(level)}<host ip='${host.ip}'${unknownAttributes(host.unknown)}>\n${body}${indent(level)}</host>\n`;
}

/**
 * `<dns enable forwardPlainNames>`, omitted when it has neither attribute nor record. Records are
 * regrouped as libvirt stores them: all forwarders, then TXT, then SRV, then hosts.
 */
export function formatDns(dns: Dns | undefined, level: number): string {
  if (dns === undefined) return '';
  const forwarders = dns.forwarders ?? [];
  const txts = dns.txts ?? [];
  const srvs = dns.srvs ?? [];
  const hosts = dns.hosts ?? [];
  if (
    dns.enable === undefined &&
    dns.forwardPlainNames === undefined &&
    forwarders.length + txts.length + srvs.length + hosts.length === 0 &&
    !hasUnknown(dns.unknown)
  ) {
    return '';
  }
  let attrs = '';
  if (dns.enable !== undefined) attrs += ` enable='${dns.enable ? 'yes' : 'no'}'`;
  if (dns.forwardPlainNames !== undefined) attrs += ` forwardPlainNames='${dns.forwardPlainNames ? 'yes' : 'no'}'`;
  attrs += unknownAttributes(dns.unknown);

  const inner = level + 1;
  const slots = slotsFor(dns.unknown);
  let body = '';
  for (const f of forwarders) {
    // libvirt writes domain before addr.
    let a = '';
    if (f.domain !== undefined) a += ` domain='${escapeAttribute(f.domain)}'`;
    if (f.addr !== undefined) a += ` addr='${f.addr}'`;
    body = put(slots, body, 'forwarder', leafElement('forwarder', a, f.unknown, inner));
  }
  for (const t of txts) {
    const a = ` name='${escapeAttribute(t.name)}' value='${escapeAttribute(t.value)}'`;
    body = put(slots, body, 'txt', leafElement('txt', a, t.unknown, inner));
  }
  for (const s of srvs) body = put(slots, body, 'srv', formatSrv(s, inner));
  for (const h of hosts) body = put(slots, body, 'host', formatHost(h, inner));
  body = children(slots, body, dns.unknown, inner);
  return `${indent(level)}<dns${attrs}${close('dns', body, level)}`;
}
