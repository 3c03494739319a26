import { describe, expect, it } from 'vitest';
import { defineNetwork } from '../../src/model/index.js';
import { compileNetwork, describeOperation, describePlan } from '../../src/compile/index.js';
import type { Operation } from '../../src/compile/plan.js';

const random = (n: number) => Uint8Array.from([0x12, 0x34, 0x56].slice(0, n));

describe('describeOperation', () => {
  const cases: Array<[Operation, string]> = [
    [
      { kind: 'link.create-bridge', name: 'virbr0', mac: '52:54:00:12:34:56', stp: true, forwardDelay: 0 },
      'ip link add virbr0 address 52:54:00:12:34:56 type bridge stp_state 1 forward_delay 0 (kernel with STP: 200)',
    ],
    [{ kind: 'link.create-bridge', name: 'br1', mtu: 9000, stp: false, forwardDelay: 0 }, 'ip link add br1 mtu 9000 type bridge stp_state 0 forward_delay 0'],
    [{ kind: 'link.create-bridge', name: 'br1', stp: true, forwardDelay: 6000 }, 'ip link add br1 type bridge stp_state 1 forward_delay 6000 (kernel with STP: 3000)'],
    [{ kind: 'link.create-bridge', name: 'br1', stp: true, forwardDelay: 500 }, 'ip link add br1 type bridge stp_state 1 forward_delay 500'],
    [{ kind: 'link.delete', name: 'virbr0' }, 'ip link delete virbr0'],
    [{ kind: 'link.set-bridge-option', dev: 'br0', option: 'vlan_filtering', value: 1, previous: 0 }, 'ip link set dev br0 type bridge vlan_filtering 1'],
    [{ kind: 'link.set-state', dev: 'virbr0', up: true }, 'ip link set dev virbr0 up'],
    [{ kind: 'link.set-state', dev: 'virbr0', up: false }, 'ip link set dev virbr0 down'],
    [
      { kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '192.168.122.1', prefix: 24, broadcast: '192.168.122.255' },
      'ip address add 192.168.122.1/24 broadcast 192.168.122.255 dev virbr0',
    ],
    [{ kind: 'address.add', dev: 'virbr0', family: 'ipv6', address: 'fd00::1', prefix: 64 }, 'ip address add fd00::1/64 dev virbr0'],
    [{ kind: 'address.delete', dev: 'virbr0', family: 'ipv6', address: 'fd00::1', prefix: 64 }, 'ip address delete fd00::1/64 dev virbr0'],
    [
      { kind: 'route.add', dev: 'virbr0', family: 'ipv4', destination: '10.1.0.0', prefix: 16, gateway: '10.0.0.2', metric: 5, ignoreErrors: true },
      'ip route add 10.1.0.0/16 via 10.0.0.2 dev virbr0 metric 5 (errors ignored)',
    ],
    [
      { kind: 'route.delete', dev: 'virbr0', family: 'ipv6', destination: '::', prefix: 0, gateway: 'fd00::2' },
      'ip -6 route delete ::/0 via fd00::2 dev virbr0',
    ],
    [{ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true }, 'sysctl net.ipv4.ip_forward=1 (kept on teardown)'],
    [{ kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.accept_ra', value: '0', keepOnTeardown: false }, 'sysctl net.ipv6.conf.virbr0.accept_ra=0'],
    [{ kind: 'dir.create', path: '/run/libvirt/network', mode: 0o755 }, 'mkdir -p -m 0755 /run/libvirt/network'],
    [{ kind: 'dir.remove', path: '/run/libvirt/network' }, 'rmdir /run/libvirt/network (if empty)'],
    [
      { kind: 'file.write', path: '/var/lib/libvirt/dnsmasq/default.conf', content: 'é\n', mode: 0o600 },
      'write /var/lib/libvirt/dnsmasq/default.conf (0600, 3 bytes)',
    ],
    [{ kind: 'file.remove', path: "/tmp/it's" }, "remove '/tmp/it'\\''s'"],
    [
      { kind: 'dnsmasq.start', network: 'default', binary: 'dnsmasq', args: ['--conf-file=/var/lib/libvirt/dnsmasq/default.conf', '--leasefile-ro'], env: { VIR_BRIDGE_NAME: 'virbr0' }, pidfile: '/run/libvirt/network/default.pid' },
      'start dnsmasq --conf-file=/var/lib/libvirt/dnsmasq/default.conf --leasefile-ro (env VIR_BRIDGE_NAME=virbr0), pidfile /run/libvirt/network/default.pid',
    ],
    [{ kind: 'dnsmasq.stop', network: 'default', pidfile: '/run/libvirt/network/default.pid' }, 'stop dnsmasq of network default (pidfile /run/libvirt/network/default.pid)'],
  ];
  for (const [op, text] of cases) {
    it(text, () => expect(describeOperation(op)).toBe(text));
  }

  it('counts the rules each firewall backend installs', () => {
    const net = defineNetwork({ name: 'n', forward: { mode: 'nat' }, bridge: { name: 'virbr0' }, ips: [{ address: '10.0.0.1', prefix: 24, dhcp: { ranges: [{ start: '10.0.0.2', end: '10.0.0.9' }] } }] });
    const fw = (backend: 'iptables' | 'nftables') =>
      describeOperation(compileNetwork(net, { firewallBackend: backend, random }).operations.find((o) => o.kind === 'firewall.add')!);
    const rules = compileNetwork(net, { random }).operations.find((o) => o.kind === 'firewall.add') as Extract<Operation, { kind: 'firewall.add' }>;
    expect(fw('iptables')).toBe(`firewall add (iptables, ${rules.rules.rules.length} rules) for virbr0`);
    expect(fw('nftables')).toMatch(/^firewall add \(nftables, \d+ rules \+ tc checksum filter\) for virbr0$/);
  });
});

describe('describePlan', () => {
  it('prints a header and numbered lines', () => {
    const text = describePlan(
      compileNetwork(defineNetwork({ name: 'iso', bridge: { name: 'virbr7' }, ips: [{ address: '10.7.0.1', prefix: 24 }], dns: { enable: false } }), { random }),
    );
    expect(text.split('\n').slice(0, 4)).toEqual([
      "network 'iso' (isolated, bridge virbr7, firewall nftables): 7 operations",
      '  1. ip link add virbr7 address 52:54:00:12:34:56 type bridge stp_state 1 forward_delay 0 (kernel with STP: 200)',
      '  2. ip address add 10.7.0.1/24 broadcast 10.7.0.255 dev virbr7',
      '  3. ip link set dev virbr7 up',
    ]);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says when there is nothing to do, and lists what is left out', () => {
    const text = describePlan(compileNetwork(defineNetwork({ name: 'b', forward: { mode: 'bridge' }, bridge: { name: 'br0' }, bandwidth: { inbound: { average: 10 } } })));
    expect(text).toBe(
      "network 'b' (bridge, bridge br0): 0 operations\n" +
        "  nothing to do on the host: libvirt creates nothing when a 'bridge' network starts\n" +
        `  left out: bandwidth (/network/bandwidth): ${"libvirt shapes the bridge with tc (htb, sfq, fw filter, ingress police); virtnet plans have no tc operation and this kernel has no sfq, fw or police"}\n`,
    );
  });
});
