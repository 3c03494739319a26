/**
 * libvirt's global (private) chains, set up once before the first network's rules
 * (`networkSetupPrivateChains`): the LIBVIRT_* chains of iptables and the `libvirt_network` table
 * of nftables, for IPv4 then IPv6.
 *
 * @module
 */
import type { FirewallBackendName } from '../plan.js';
import type { FirewallFamily, FirewallTable } from './rules.js';

/** One iptables private chain and the built-in chain that jumps to it. */
export interface IptablesBaseChain {
  table: FirewallTable;
  /** `LIBVIRT_INP`, … */
  chain: string;
  /** The built-in chain holding the jump (`INPUT`, `FORWARD`, `POSTROUTING`, …). */
  parent: string;
}

/** One chain of libvirt's nftables table. */
export interface NftBaseChain {
  name: string;
  /** The base-chain spec (`{ type filter hook forward priority 0; policy accept; }`), for hooked chains. */
  spec?: string;
  /** The chain that jumps to this one (`forward`), for regular chains. */
  parent?: string;
}

/** The global set-up of one backend. */
export type FirewallBase =
  | { backend: 'iptables'; families: FirewallFamily[]; tables: FirewallTable[]; chains: IptablesBaseChain[] }
  | { backend: 'nftables'; families: FirewallFamily[]; table: string; chains: NftBaseChain[] };

/**
 * libvirt's order: each jump is inserted at the top of its parent, so FORWARD ends up jumping to
 * FWX, then FWI, then FWO.
 */
export const IPTABLES_BASE_CHAINS: readonly IptablesBaseChain[] = [
  { table: 'filter', chain: 'LIBVIRT_INP', parent: 'INPUT' },
  { table: 'filter', chain: 'LIBVIRT_OUT', parent: 'OUTPUT' },
  { table: 'filter', chain: 'LIBVIRT_FWO', parent: 'FORWARD' },
  { table: 'filter', chain: 'LIBVIRT_FWI', parent: 'FORWARD' },
  { table: 'filter', chain: 'LIBVIRT_FWX', parent: 'FORWARD' },
  { table: 'nat', chain: 'LIBVIRT_PRT', parent: 'POSTROUTING' },
  { table: 'mangle', chain: 'LIBVIRT_PRT', parent: 'POSTROUTING' },
];

/** libvirt's nftables table name, in both the `ip` and the `ip6` family. */
export const NFT_TABLE = 'libvirt_network';

/** The chains of {@link NFT_TABLE}; the jumps from `forward` are inserted, so they end up reversed. */
export const NFT_BASE_CHAINS: readonly NftBaseChain[] = [
  { name: 'forward', spec: '{ type filter hook forward priority 0; policy accept; }' },
  { name: 'guest_output', parent: 'forward' },
  { name: 'guest_input', parent: 'forward' },
  { name: 'guest_cross', parent: 'forward' },
  { name: 'guest_nat', spec: '{ type nat hook postrouting priority 100; policy accept; }' },
];

/**
 * The global chain set-up of a backend, as data.
 *
 * @example
 * ```ts
 * firewallBase('iptables').chains.map((c) => c.chain); // ['LIBVIRT_INP', 'LIBVIRT_OUT', …]
 * ```
 */
export function firewallBase(backend: FirewallBackendName): FirewallBase {
  if (backend === 'iptables') {
    return { backend, families: ['ipv4', 'ipv6'], tables: ['filter', 'nat', 'mangle'], chains: [...IPTABLES_BASE_CHAINS] };
  }
  return { backend, families: ['ipv4', 'ipv6'], table: NFT_TABLE, chains: [...NFT_BASE_CHAINS] };
}

/** The nft family keyword of an address family. */
export function nftFamily(family: FirewallFamily): 'ip' | 'ip6' {
  return family === 'ipv4' ? 'ip' : 'ip6';
}
