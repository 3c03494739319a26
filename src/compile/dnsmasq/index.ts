/**
 * dnsmasq for libvirt virtual networks: the conf, hostsfile and addnhosts files, their paths,
 * the command line, and whether dnsmasq runs at all — byte-identical to libvirt 11.3.
 *
 * @example
 * ```ts
 * import { dnsmasqConfig, dnsmasqPaths, dnsmasqCommand, needsDnsmasq } from './compile/dnsmasq/index.js';
 *
 * if (needsDnsmasq(net)) {
 *   const options = { bridge: 'virbr0' };
 *   const files = dnsmasqConfig(net, options);
 *   const paths = dnsmasqPaths(net, options);
 *   const command = dnsmasqCommand(net, options);
 * }
 * ```
 *
 * @module
 */
export { dnsmasqConfig, type DnsmasqFiles } from './files.js';
export { dnsmasqPaths, escapeName, type DnsmasqPaths } from './paths.js';
export { dnsmasqCommand, type DnsmasqCommand, type DnsmasqCommandOptions } from './command.js';
export { needsDnsmasq } from './needs.js';
export {
  DEFAULT_DNSMASQ_VERSION,
  DEFAULT_PID_DIR,
  DEFAULT_STATE_DIR,
  type DnsmasqOptions,
} from './options.js';
export { MAX_LINE_BYTES, UNSAFE as DNSMASQ_UNSAFE_VALUE } from './safety.js';
