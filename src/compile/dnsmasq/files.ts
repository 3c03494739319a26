/**
 * The files of a network's dnsmasq, as text.
 *
 * @module
 */
import type { Network } from '../../model/network.js';
import { addnhostsContent } from './addnhosts.js';
import { buildConf } from './conf.js';
import { checkVersion, type DnsmasqOptions } from './options.js';
import { dnsmasqPaths } from './paths.js';

/**
 * The contents of a network's dnsmasq files.
 *
 * `hostsfile` is absent when the network has no DHCP `<host>` (libvirt's conf tests expect no
 * file then) and `addnhosts` when DNS is disabled. At run time libvirt nevertheless writes both
 * files, empty if need be, because the conf names them for run-time additions: write
 * `hostsfile ?? ''` and `addnhosts ?? ''` to {@link dnsmasqPaths}' paths when starting dnsmasq.
 */
export interface DnsmasqFiles {
  /** `<stateDir>/<name>.conf`, mode 0600. */
  conf: string;
  /** `dhcp-hostsfile=` contents: one line per DHCP `<host>`. */
  hostsfile?: string;
  /** `addn-hosts=` contents: `<dns><host>` records. */
  addnhosts?: string;
}

/**
 * Generate the dnsmasq conf, hostsfile and addnhosts of a network, byte-identical to libvirt
 * 11.3. Throws `CompileError` for what libvirt refuses (two DHCP `<ip>`s of one family, an
 * invalid prefix or range, an impossible PTR zone, dnsmasq < 2.67) and for any string that
 * would not stay in its line or field (`dnsmasq.unsafe-value`).
 *
 * @example
 * ```ts
 * const files = dnsmasqConfig(net, { bridge: 'virbr0', pidfile: '/run/libvirt/network/default.pid' });
 * files.conf.split('\n')[6]; // 'strict-order'
 * ```
 */
export function dnsmasqConfig(network: Network, options: DnsmasqOptions): DnsmasqFiles {
  checkVersion(options.version);
  const paths = dnsmasqPaths(network, options);
  const { conf, hostsfile } = buildConf(network, {
    bridge: options.bridge,
    hostsfile: paths.hostsfile,
    addnhosts: paths.addnhosts,
    pidfile: options.pidfile === null || options.pidfile === undefined ? undefined : paths.pidfile,
  });
  const files: DnsmasqFiles = { conf };
  if (hostsfile !== undefined) files.hostsfile = hostsfile;
  if (network.dns?.enable !== false) {
    files.addnhosts = addnhostsContent(network.dns?.hosts);
  }
  return files;
}
