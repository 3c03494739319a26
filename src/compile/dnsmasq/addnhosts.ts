/**
 * The extra hosts file (`addn-hosts=`) built from `<dns><host>` (`addnhostsAdd`/`addnhostsWrite`).
 *
 * @module
 */
import type { DnsHost } from '../../model/dns.js';
import { CompileError } from '../errors.js';
import { formatAddress } from './inet.js';
import { MAX_LINE_BYTES, UNSAFE, refuseLineBreaks } from './safety.js';

/**
 * Check a `<hostname>` for dnsmasq's hosts-file reader (cache.c `read_hostsfile`), which reads
 * whitespace-separated tokens of at most 1024 bytes and skips from `#` to the end of the line:
 * no whitespace or control characters, no `#`, not empty, not longer than a token. (The reader
 * is token-based, so a line with many names is fine, unlike the conf and hostsfile.)
 */
export function checkDnsHostname(name: string, path: string): string {
  if (typeof name !== 'string' || name === '') throw new CompileError(UNSAFE, path, 'the host name is empty');
  refuseLineBreaks(name, path);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x23 /* # */ || c === 0xa0 || c === 0x85)
      throw new CompileError(
        UNSAFE,
        path,
        `host name ${JSON.stringify(name)} contains ${c === 0x23 ? "'#'" : 'whitespace or a control character'}, which dnsmasq's hosts-file reader splits on`,
      );
  }
  if (name.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(name, 'utf8') > MAX_LINE_BYTES)
    throw new CompileError(UNSAFE, path, `host name is longer than the ${MAX_LINE_BYTES} bytes dnsmasq reads as one name`);
  return name;
}

/**
 * The addnhosts file: one line per distinct formatted address, in first-seen order, hosts with
 * the same address merged: `<ip>\t<name>\t<name>\t…\t\n` (a tab after every field). Empty when
 * there are no hosts.
 *
 * @example
 * ```ts
 * addnhostsContent([{ ip: '192.168.122.1', hostnames: ['host', 'gateway'] }]);
 * // '192.168.122.1\thost\tgateway\t\n'
 * ```
 */
export function addnhostsContent(hosts: readonly DnsHost[] = []): string {
  const byIp = new Map<string, string[]>();
  hosts.forEach((host, i) => {
    const path = `/network/dns/host[${i + 1}]`;
    const ip = formatAddress(host.ip, `${path}/@ip`);
    // libvirt adds one (address, name) pair per <hostname>: a host without names adds no line.
    (host.hostnames ?? []).forEach((name, j) => {
      const checked = checkDnsHostname(name, `${path}/hostname[${j + 1}]`);
      const names = byIp.get(ip);
      if (names) names.push(checked);
      else byIp.set(ip, [checked]);
    });
  });
  let out = '';
  for (const [ip, names] of byIp) {
    out += `${ip}\t`;
    for (const name of names) out += `${name}\t`;
    out += '\n';
  }
  return out;
}
