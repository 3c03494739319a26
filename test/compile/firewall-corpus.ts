/**
 * The networks of libvirt's `networkxml2firewalldata/*.xml`, mirrored element by element with
 * defineNetwork (`<forward/>` is mode nat, libvirt's default), so the system tests run without
 * the corpus; the conformance test checks that they render like the parsed documents. Keyed by
 * the corpus file's base name.
 */
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';
import type { Network } from '../../src/model/network.js';

const dhcp4 = { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }] };
const dhcp6 = { ranges: [{ start: '2001:db8:ca2:2:1::10', end: '2001:db8:ca2:2:1::ff' }] };
const ip4 = { address: '192.168.122.1', netmask: '255.255.255.0' };
const ip4b = { address: '192.168.128.1', netmask: '255.255.255.0' };
const ip6 = { family: 'ipv6' as const, address: '2001:db8:ca2:2::1', prefix: 64 };

const inits: Record<string, NetworkInit> = {
  'nat-default': { name: 'default', bridge: { name: 'virbr0' }, forward: { mode: 'nat' }, ips: [{ ...ip4, dhcp: dhcp4 }] },
  'nat-tftp': {
    name: 'default',
    bridge: { name: 'virbr0' },
    forward: { mode: 'nat' },
    ips: [{ ...ip4, tftp: { root: '/some/dir' }, dhcp: dhcp4 }],
  },
  'nat-no-dhcp': { name: 'default', bridge: { name: 'virbr0' }, forward: { mode: 'nat' }, ips: [ip4, ip6] },
  'nat-ipv6': {
    name: 'default',
    bridge: { name: 'virbr0' },
    forward: { mode: 'nat' },
    ips: [
      { ...ip4, dhcp: dhcp4 },
      { ...ip6, dhcp: dhcp6 },
    ],
  },
  'nat-ipv6-masquerade': {
    name: 'default',
    bridge: { name: 'virbr0' },
    forward: { mode: 'nat', nat: { ipv6: true } },
    ips: [
      { ...ip4, dhcp: dhcp4 },
      { ...ip6, dhcp: dhcp6 },
    ],
  },
  'route-default': { name: 'default', bridge: { name: 'virbr0' }, forward: { mode: 'route' }, ips: [{ ...ip4, dhcp: dhcp4 }] },
  'forward-dev': {
    name: 'default',
    bridge: { name: 'virbr0' },
    forward: { mode: 'nat', interfaces: [{ dev: 'enp0s7' }] },
    ips: [{ ...ip4, dhcp: dhcp4 }],
  },
  isolated: {
    name: 'default',
    bridge: { name: 'virbr0' },
    ips: [{ ...ip4, dhcp: dhcp4 }, ip4b, { ...ip6, dhcp: dhcp6 }],
  },
  'nat-port-range': {
    name: 'default',
    bridge: { name: 'virbr0' },
    forward: { mode: 'nat', nat: { port: { start: 500, end: 1000 } } },
    ips: [{ ...ip4, dhcp: dhcp4 }, ip4b, { ...ip6, dhcp: dhcp6 }],
  },
};

/** The corpus network for `networkxml2firewalldata/<name>.xml`, or undefined if not mirrored here. */
export function firewallCorpusNetwork(name: string): Network | undefined {
  const init = inits[name];
  return init === undefined ? undefined : defineNetwork(init);
}

/** Every mirrored corpus network name. */
export const firewallCorpusNames: readonly string[] = Object.keys(inits);
