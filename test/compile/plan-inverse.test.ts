import { describe, expect, it } from 'vitest';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';
import { compileNetwork, inverseOf, teardownPlan } from '../../src/compile/index.js';
import type { FirewallRules } from '../../src/compile/firewall/rules.js';
import type { Operation } from '../../src/compile/plan.js';

const random = (n: number) => Uint8Array.from([1, 2, 3].slice(0, n));
const rules: FirewallRules = { bridge: 'virbr0', rules: [] };

describe('inverseOf', () => {
  const cases: Array<[Operation, Operation | null]> = [
    [{ kind: 'link.create-bridge', name: 'virbr0', stp: true, forwardDelay: 0 }, { kind: 'link.delete', name: 'virbr0' }],
    [
      { kind: 'link.set-bridge-option', dev: 'virbr0', option: 'vlan_filtering', value: 1, previous: 0 },
      { kind: 'link.set-bridge-option', dev: 'virbr0', option: 'vlan_filtering', value: 0, previous: 1 },
    ],
    [{ kind: 'link.set-state', dev: 'virbr0', up: true }, { kind: 'link.set-state', dev: 'virbr0', up: false }],
    [{ kind: 'link.set-state', dev: 'virbr0', up: false }, { kind: 'link.set-state', dev: 'virbr0', up: true }],
    [
      { kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '10.0.0.1', prefix: 24, broadcast: '10.0.0.255' },
      { kind: 'address.delete', dev: 'virbr0', family: 'ipv4', address: '10.0.0.1', prefix: 24 },
    ],
    [
      { kind: 'route.add', dev: 'virbr0', family: 'ipv6', destination: 'fd01::', prefix: 64, gateway: 'fd00::2', metric: 3, ignoreErrors: true },
      { kind: 'route.delete', dev: 'virbr0', family: 'ipv6', destination: 'fd01::', prefix: 64, gateway: 'fd00::2', metric: 3 },
    ],
    [
      { kind: 'route.add', dev: 'virbr0', family: 'ipv4', destination: '10.1.0.0', prefix: 16, gateway: '10.0.0.2', ignoreErrors: true },
      { kind: 'route.delete', dev: 'virbr0', family: 'ipv4', destination: '10.1.0.0', prefix: 16, gateway: '10.0.0.2' },
    ],
    [{ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true }, null],
    [{ kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.accept_ra', value: '0', keepOnTeardown: false }, null],
    [
      { kind: 'firewall.add', backend: 'iptables', network: 'n', bridge: 'virbr0', rules },
      { kind: 'firewall.remove', backend: 'iptables', network: 'n', bridge: 'virbr0', rules },
    ],
    [{ kind: 'dir.create', path: '/run/x', mode: 0o755 }, { kind: 'dir.remove', path: '/run/x' }],
    [{ kind: 'file.write', path: '/run/x/a', content: 'x', mode: 0o600 }, { kind: 'file.remove', path: '/run/x/a' }],
    [
      { kind: 'dnsmasq.start', network: 'n', binary: 'dnsmasq', args: [], env: {}, pidfile: '/run/n.pid' },
      { kind: 'dnsmasq.stop', network: 'n', pidfile: '/run/n.pid' },
    ],
    [{ kind: 'link.delete', name: 'virbr0' }, null],
    [{ kind: 'address.delete', dev: 'b', family: 'ipv4', address: '10.0.0.1', prefix: 24 }, null],
    [{ kind: 'file.remove', path: '/x' }, null],
    [{ kind: 'dnsmasq.stop', network: 'n', pidfile: '/run/n.pid' }, null],
  ];
  for (const [op, inverse] of cases) {
    it(`${op.kind}${'up' in op ? (op.up ? ' up' : ' down') : ''} → ${inverse?.kind ?? 'null'}`, () => {
      expect(inverseOf(op)).toEqual(inverse);
    });
  }

  it('gives every forward operation of a full plan an inverse except sysctls', () => {
    const plan = compileNetwork(
      defineNetwork({
        name: 'all',
        forward: { mode: 'nat' },
        bridge: { name: 'virbr0', macTableManager: 'libvirt' },
        ips: [{ address: '10.0.0.1', prefix: 24, dhcp: { ranges: [{ start: '10.0.0.2', end: '10.0.0.9' }] } }],
        routes: [{ address: '10.1.0.0', prefix: 16, gateway: '10.0.0.2' }],
      }),
      { random },
    );
    for (const op of plan.operations) expect(inverseOf(op) === null, op.kind).toBe(op.kind === 'sysctl.set');
  });
});

describe('teardownPlan', () => {
  const nat: NetworkInit = {
    name: 'default',
    forward: { mode: 'nat' },
    bridge: { name: 'virbr0', macTableManager: 'libvirt' },
    ips: [
      { address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }] } },
      { family: 'ipv6', address: 'fd00::1', prefix: 64 },
    ],
    routes: [{ address: '10.1.0.0', prefix: 16, gateway: '192.168.122.2' }],
  };

  it('follows libvirt’s shutdown order, then removes what virtnet wrote', () => {
    const plan = compileNetwork(defineNetwork(nat), { random });
    expect(teardownPlan(plan)).toEqual([
      { kind: 'dnsmasq.stop', network: 'default', pidfile: '/run/libvirt/network/default.pid' },
      { kind: 'link.set-state', dev: 'virbr0', up: false },
      { kind: 'firewall.remove', backend: 'nftables', network: 'default', bridge: 'virbr0', rules: (plan.operations.find((o) => o.kind === 'firewall.add') as { rules: FirewallRules }).rules },
      { kind: 'link.delete', name: 'virbr0' },
      { kind: 'file.remove', path: '/run/libvirt/network/default.pid' },
      { kind: 'file.remove', path: '/var/lib/libvirt/dnsmasq/default.addnhosts' },
      { kind: 'file.remove', path: '/var/lib/libvirt/dnsmasq/default.hostsfile' },
      { kind: 'file.remove', path: '/var/lib/libvirt/dnsmasq/default.conf' },
      { kind: 'dir.remove', path: '/var/lib/libvirt/dnsmasq' },
      { kind: 'dir.remove', path: '/run/libvirt/network' },
    ]);
  });

  it('leaves addresses, routes and sysctls to the bridge deletion, and keeps forwarding on', () => {
    const ops = teardownPlan(compileNetwork(defineNetwork(nat), { random }));
    const kinds = ops.map((o) => o.kind);
    expect(kinds).not.toContain('address.delete');
    expect(kinds).not.toContain('route.delete');
    expect(kinds).not.toContain('sysctl.set');
    expect(kinds).not.toContain('link.set-bridge-option');
  });

  it('open network: no firewall removal', () => {
    const ops = teardownPlan(compileNetwork(defineNetwork({ ...nat, forward: { mode: 'open' } }), { random }));
    expect(ops.map((o) => o.kind).slice(0, 3)).toEqual(['dnsmasq.stop', 'link.set-state', 'link.delete']);
  });

  it('host bridge: libvirt leaves vlan filtering on, so the teardown is empty', () => {
    const plan = compileNetwork(defineNetwork({ name: 'h', forward: { mode: 'bridge' }, bridge: { name: 'br0', macTableManager: 'libvirt' } }));
    expect(plan.operations).toHaveLength(1);
    expect(teardownPlan(plan)).toEqual([]);
  });

  it('empty plan: empty teardown', () => {
    expect(teardownPlan(compileNetwork(defineNetwork({ name: 'p', forward: { mode: 'private', interfaces: [{ dev: 'eth1' }] } })))).toEqual([]);
  });
});
