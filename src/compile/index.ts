/**
 * The compiler: from a network model to the host operations that start it (a {@link Plan}),
 * with dnsmasq's files and the firewall rules libvirt would install.
 *
 * @example
 * ```ts
 * import { compileNetwork, describePlan, teardownPlan } from 'virtnet';
 *
 * const plan = compileNetwork(network, { firewallBackend: 'iptables' });
 * process.stdout.write(describePlan(plan));
 * const stop = teardownPlan(plan);
 * ```
 *
 * @module
 */
export * from './plan.js';
export * from './errors.js';
export * from './options.js';
export * from './bridge-name.js';
export * from './netlink.js';
export * from './compile.js';
export * from './inverse.js';
export * from './describe.js';
export * from './dnsmasq/index.js';
export * from './firewall/index.js';
