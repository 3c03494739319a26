/**
 * The firewall rule model: one list of rules per network, rendered three ways (libvirt's command
 * text, iptables-restore input, an nft script).
 *
 * PLACEHOLDER: the firewall module defines the real shape; plan.ts only needs the name.
 *
 * @module
 */

/** Every rule virtnet installs for one network, in libvirt's order. */
export interface FirewallRules {
  /** Filled in by the firewall module. */
  readonly rules: readonly unknown[];
}
