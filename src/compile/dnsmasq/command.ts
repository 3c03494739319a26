/**
 * The dnsmasq command line (`networkBuildDhcpDaemonCommandLine`).
 *
 * @module
 */
import type { Network } from '../../model/network.js';
import { CompileError } from '../errors.js';
import { checkBridgeName } from './conf.js';
import type { DnsmasqOptions } from './options.js';
import { dnsmasqPaths } from './paths.js';
import { refuseLineBreaks } from './safety.js';

/** Options of {@link dnsmasqCommand}. */
export interface DnsmasqCommandOptions extends DnsmasqOptions {
  /** The dnsmasq program; default `dnsmasq`, looked up in `$PATH` as libvirt does. */
  binary?: string;
  /**
   * `--dhcp-script=` program. libvirt passes its `libvirt_leaseshelper`, which keeps a JSON lease
   * file for `virsh net-dhcp-leases`; virtnet has no such helper, so the default (null) passes
   * none and dnsmasq runs no script.
   */
  leaseHelper?: string | null;
}

/** A program to run with an argument array and an exact environment. */
export interface DnsmasqCommand {
  binary: string;
  args: string[];
  /** The whole environment: libvirt passes only `VIR_BRIDGE_NAME`. */
  env: Record<string, string>;
}

function checkProgram(value: string, name: string): string {
  const path = `options.${name}`;
  if (typeof value !== 'string' || value === '') throw new CompileError('dnsmasq.invalid-option', path, `${name} is empty`);
  refuseLineBreaks(value, path);
  return value;
}

/**
 * `dnsmasq --conf-file=<conf> --leasefile-ro [--dhcp-script=<helper>]` with the environment
 * `VIR_BRIDGE_NAME=<bridge>`. Everything else is in the conf file.
 *
 * @example
 * ```ts
 * dnsmasqCommand(net, { bridge: 'virbr0' });
 * // { binary: 'dnsmasq', args: ['--conf-file=/var/lib/libvirt/dnsmasq/default.conf', '--leasefile-ro'],
 * //   env: { VIR_BRIDGE_NAME: 'virbr0' } }
 * ```
 */
export function dnsmasqCommand(network: Network, options: DnsmasqCommandOptions): DnsmasqCommand {
  const bridge = checkBridgeName(options.bridge);
  const paths = dnsmasqPaths(network, options);
  const args = [`--conf-file=${paths.conf}`, '--leasefile-ro'];
  if (options.leaseHelper !== undefined && options.leaseHelper !== null) {
    const helper = checkProgram(options.leaseHelper, 'leaseHelper');
    if (!helper.startsWith('/'))
      throw new CompileError('dnsmasq.invalid-option', 'options.leaseHelper', 'the lease helper must be an absolute path');
    args.push(`--dhcp-script=${helper}`);
  }
  return { binary: checkProgram(options.binary ?? 'dnsmasq', 'binary'), args, env: { VIR_BRIDGE_NAME: bridge } };
}
