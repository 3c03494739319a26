/**
 * `validateNetwork`: everything libvirt would refuse when a network is defined (parser rules and
 * `networkValidate`), the runtime checks libvirt makes at start that can be decided offline, and
 * the safety rule that no newline, carriage return or NUL reaches a dnsmasq line or a command.
 *
 * A model built in code never goes through the parser, so the parser's rules are checked here
 * again: whatever path a `Network` took, `validateNetwork` returning no error means libvirt
 * would define it.
 *
 * @module
 */
import type { Network } from '../model/index.js';
import { validateBandwidths } from './bandwidth.js';
import { validateBridge } from './bridge.js';
import { validateDns } from './dns.js';
import { validateForward } from './forward.js';
import { validateIps } from './ip.js';
import { validateNames } from './names.js';
import { validatePortgroups } from './portgroup.js';
import { Problems, type Problem } from './problem.js';
import { validateRoutes } from './route.js';
import { validateVirtualPorts } from './virtualport.js';
import { validateVlans } from './vlan.js';

export { formatProblems, PROBLEM_CODES, type Problem, type ProblemCode, type Severity } from './problem.js';

/** Options of {@link validateNetwork}. */
export interface ValidateOptions {
  /**
   * Also run the checks libvirt only makes when it starts the network (reference §4: localPtr
   * prefixes, netmask contiguity, NAT port range, bridge name limits, …). Default `true`.
   */
  checkRuntime?: boolean;
}

/**
 * Every problem of `network`, errors and warnings, in document order of the parts checked (name,
 * bridge, dns, ip, route, forward, vlan, virtualport, bandwidth, portgroups, dnsmasq options).
 * Runs in one pass per part, linear in the size of the network.
 *
 * @example
 * ```ts
 * import { defineNetwork } from 'virtnet';
 * import { validateNetwork, formatProblems } from 'virtnet';
 *
 * const net = defineNetwork({
 *   name: 'default',
 *   forward: { mode: 'nat' },
 *   ips: [{ address: '192.168.122.1', prefix: 24,
 *           dhcp: { ranges: [{ start: '192.168.123.2', end: '192.168.123.9' }] } }],
 * });
 * const problems = validateNetwork(net);
 * // [{ code: 'dhcp.range.outside-network', path: '/network/ip[1]/dhcp/range[1]', … }]
 * process.stderr.write(formatProblems(problems, 'default.xml'));
 * ```
 */
export function validateNetwork(network: Network, options: ValidateOptions = {}): Problem[] {
  const c = new Problems(typeof network.name === 'string' ? network.name : '', options.checkRuntime ?? true);
  validateNames(network, c);
  validateBridge(network, c);
  validateDns(network, c);
  validateIps(network, c);
  validateRoutes(network, c);
  validateForward(network, c);
  validateVlans(network, c);
  validateVirtualPorts(network, c);
  validateBandwidths(network, c);
  validatePortgroups(network, c);
  (network.dnsmasqOptions ?? []).forEach((value, i) => {
    c.text(value, `/network/dnsmasq:options/dnsmasq:option[${i + 1}]/@value`, 'dnsmasq option');
  });
  return c.list;
}

/**
 * True when `problems` holds at least one error (warnings alone do not stop a define).
 *
 * @example
 * ```ts
 * if (hasErrors(validateNetwork(net))) process.exitCode = 1;
 * ```
 */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
