/** Option values several commands share. */
export const FIREWALL_BACKENDS = ['iptables', 'nftables'] as const;
export type FirewallChoice = (typeof FIREWALL_BACKENDS)[number];
