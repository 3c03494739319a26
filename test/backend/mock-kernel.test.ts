import { describe, expect, it } from 'vitest';
import type { FirewallRules } from '../../src/compile/firewall/rules.js';
import type { Operation } from '../../src/compile/plan.js';
import { MockHost } from '../../src/backend/mock/host.js';
import { MockExecutor } from '../../src/backend/mock/executor.js';
import { HostError } from '../../src/backend/types.js';

/** The errno a refused operation fails with (and that it changed nothing). */
function refusal(host: MockHost, op: Operation): string {
  const before = host.snapshot();
  try {
    host.apply(op);
  } catch (e) {
    expect(e).toBeInstanceOf(HostError);
    expect(host.snapshot()).toEqual(before);
    return (e as HostError).code;
  }
  throw new Error(`expected ${op.kind} to be refused`);
}

/** Apply `op`, then its undo, and check the host is back where it was. */
function roundTrip(host: MockHost, op: Operation): Operation[] {
  const before = host.snapshot();
  const undo = host.apply(op);
  expect(host.snapshot()).not.toEqual(before);
  for (const u of undo) host.apply(u);
  expect(host.snapshot()).toEqual(before);
  return undo;
}

const bridge = (name = 'virbr0', extra: Partial<Extract<Operation, { kind: 'link.create-bridge' }>> = {}): Operation => ({
  kind: 'link.create-bridge',
  name,
  stp: true,
  forwardDelay: 0,
  ...extra,
});
const up = (dev = 'virbr0'): Operation => ({ kind: 'link.set-state', dev, up: true });
const addr4 = (address = '192.168.122.1', dev = 'virbr0'): Operation => ({ kind: 'address.add', dev, family: 'ipv4', address, prefix: 24, broadcast: '192.168.122.255' });
const addr6 = (address = '2001:db8::1', dev = 'virbr0'): Operation => ({ kind: 'address.add', dev, family: 'ipv6', address, prefix: 64 });
const route = (gateway = '192.168.122.2', extra: Partial<Extract<Operation, { kind: 'route.add' }>> = {}): Operation => ({
  kind: 'route.add',
  dev: 'virbr0',
  family: 'ipv4',
  destination: '10.0.0.0',
  prefix: 8,
  gateway,
  ignoreErrors: true,
  ...extra,
});

describe('links', () => {
  it('a fresh host has lo and the kernel defaults', () => {
    const snap = new MockHost().snapshot();
    expect(snap.links.map((l) => l.name)).toEqual(['lo']);
    expect(snap.sysctls['net.ipv4.ip_forward']).toBe('0');
    expect(snap.sysctls['net.ipv6.conf.lo.disable_ipv6']).toBe('0');
  });

  it('enforces unique names, IFNAMSIZ (15 bytes) and valid characters', () => {
    const host = new MockHost();
    host.apply(bridge());
    expect(refusal(host, bridge())).toBe('EEXIST');
    expect(refusal(host, bridge('a'.repeat(16)))).toBe('EINVAL');
    expect(refusal(host, bridge('é'.repeat(8)))).toBe('EINVAL'); // 8 characters, 16 bytes
    host.apply(bridge('b'.repeat(15)));
    for (const bad of ['', '.', '..', 'a/b', 'a:b', 'a b']) expect(refusal(host, bridge(bad))).toBe('EINVAL');
  });

  it('clamps the forward delay into 200..3000 cs when a bridge is created with STP, keeps it without', () => {
    const host = new MockHost();
    host.apply(bridge('s0', { forwardDelay: 0 }));
    host.apply(bridge('s1', { forwardDelay: 500 }));
    host.apply(bridge('s2', { forwardDelay: 5000 }));
    host.apply(bridge('n0', { stp: false, forwardDelay: 0 }));
    host.apply(bridge('n1', { stp: false, forwardDelay: 5000 }));
    const delays = Object.fromEntries(host.snapshot().links.map((l) => [l.name, l.forwardDelay]));
    expect(delays).toMatchObject({ s0: 200, s1: 500, s2: 3000, n0: 0, n1: 5000 });
  });

  it('refuses a forward delay change outside 200..3000 with STP on (ERANGE), allows it with STP off', () => {
    const host = new MockHost();
    host.apply(bridge('s'));
    host.apply(bridge('n', { stp: false }));
    expect(() => host.setForwardDelay('s', 100)).toThrow(expect.objectContaining({ code: 'ERANGE' }));
    expect(() => host.setForwardDelay('s', 3001)).toThrow(expect.objectContaining({ code: 'ERANGE' }));
    host.setForwardDelay('s', 1500);
    host.setForwardDelay('n', 0);
    expect(() => host.setForwardDelay('missing', 200)).toThrow(expect.objectContaining({ code: 'ENODEV' }));
  });

  it('refuses a multicast MAC and an MTU a bridge cannot have', () => {
    const host = new MockHost();
    expect(refusal(host, bridge('b', { mac: '01:00:5e:00:00:01' }))).toBe('EADDRNOTAVAIL');
    expect(refusal(host, bridge('b', { mtu: 67 }))).toBe('EINVAL');
    expect(refusal(host, bridge('b', { mtu: 65536 }))).toBe('EINVAL');
  });

  it('deleting a missing link is ENODEV; deleting a bridge takes its addresses, routes and IPv6 sysctls, and the undo brings all back', () => {
    const host = new MockHost();
    expect(refusal(host, { kind: 'link.delete', name: 'virbr0' })).toBe('ENODEV');
    host.apply(bridge('virbr0', { mac: '52:54:00:00:00:01' }));
    expect(host.snapshot().sysctls['net.ipv6.conf.virbr0.accept_ra']).toBe('1');
    host.apply({ kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.accept_ra', value: '0', keepOnTeardown: false });
    host.apply(addr4());
    host.apply(addr6());
    host.apply(up());
    host.apply(route());
    const undo = roundTrip(host, { kind: 'link.delete', name: 'virbr0' });
    expect(undo.map((o) => o.kind)).toEqual(['link.create-bridge', 'sysctl.set', 'address.add', 'address.add', 'link.set-state', 'route.add']);
    host.apply({ kind: 'link.delete', name: 'virbr0' });
    const snap = host.snapshot();
    expect(snap.addresses).toEqual([]);
    expect(snap.routes).toEqual([]);
    expect(Object.keys(snap.sysctls).filter((k) => k.includes('virbr0'))).toEqual([]);
  });

  it('taking a link down drops its routes and IPv6 addresses (keep_addr_on_down 0); the undo restores them', () => {
    const host = new MockHost();
    host.apply(bridge());
    host.apply(addr4());
    host.apply(addr6());
    host.apply(up());
    host.apply(route());
    roundTrip(host, { kind: 'link.set-state', dev: 'virbr0', up: false });
    host.apply({ kind: 'link.set-state', dev: 'virbr0', up: false });
    expect(host.snapshot().addresses.map((a) => a.address)).toEqual(['192.168.122.1']);
    expect(host.snapshot().routes).toEqual([]);
    expect(host.apply({ kind: 'link.set-state', dev: 'virbr0', up: false })).toEqual([]); // no change, no undo
  });

  it('vlan_filtering needs a bridge; its undo restores the value the bridge had', () => {
    const host = new MockHost({ links: [{ name: 'eth0' }] });
    host.apply(bridge());
    expect(refusal(host, { kind: 'link.set-bridge-option', dev: 'eth0', option: 'vlan_filtering', value: 1, previous: 0 })).toBe('EOPNOTSUPP');
    expect(refusal(host, { kind: 'link.set-bridge-option', dev: 'nope', option: 'vlan_filtering', value: 1, previous: 0 })).toBe('ENODEV');
    const undo = roundTrip(host, { kind: 'link.set-bridge-option', dev: 'virbr0', option: 'vlan_filtering', value: 1, previous: 0 });
    expect(undo).toEqual([{ kind: 'link.set-bridge-option', dev: 'virbr0', option: 'vlan_filtering', value: 0, previous: 1 }]);
  });
});

describe('addresses and routes', () => {
  it('an address needs its link, valid syntax, and is never added twice (EEXIST)', () => {
    const host = new MockHost();
    expect(refusal(host, addr4())).toBe('ENODEV');
    host.apply(bridge());
    roundTrip(host, addr4());
    host.apply(addr4());
    expect(refusal(host, addr4())).toBe('EEXIST');
    host.apply({ kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '192.168.122.1', prefix: 16 }); // a secondary with another prefix
    host.apply(addr6());
    expect(refusal(host, { ...addr6(), prefix: 48 } as Operation)).toBe('EEXIST'); // IPv6 keys by address only
    expect(refusal(host, addr4('192.168.122'))).toBe('EINVAL');
    expect(refusal(host, { ...addr4(), prefix: 33 } as Operation)).toBe('EINVAL');
    expect(refusal(host, { kind: 'address.add', dev: 'virbr0', family: 'ipv6', address: '10.0.0.1', prefix: 64 })).toBe('EINVAL');
  });

  it('an IPv6 address on a link with disable_ipv6=1 is EACCES; disabling IPv6 drops the link\'s IPv6 addresses (undo re-adds)', () => {
    const host = new MockHost();
    host.apply(bridge());
    host.apply(addr6());
    roundTrip(host, { kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.disable_ipv6', value: '1', keepOnTeardown: false });
    host.apply({ kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.disable_ipv6', value: '1', keepOnTeardown: false });
    expect(host.snapshot().addresses).toEqual([]);
    expect(refusal(host, addr6())).toBe('EACCES');
  });

  it('deleting an absent address is EADDRNOTAVAIL; deleting the last IPv4 address drops the IPv4 routes', () => {
    const host = new MockHost();
    host.apply(bridge());
    expect(refusal(host, { kind: 'address.delete', dev: 'virbr0', family: 'ipv4', address: '192.168.122.1', prefix: 24 })).toBe('EADDRNOTAVAIL');
    host.apply(addr4());
    host.apply(up());
    host.apply(route());
    const undo = roundTrip(host, { kind: 'address.delete', dev: 'virbr0', family: 'ipv4', address: '192.168.122.1', prefix: 24 });
    expect(undo.map((o) => o.kind)).toEqual(['address.add', 'route.add']);
  });

  it('a route needs its link up (ENETDOWN), a gateway on the link (ENETUNREACH), a network address, and no twin (EEXIST)', () => {
    const host = new MockHost();
    expect(refusal(host, route())).toBe('ENODEV');
    host.apply(bridge());
    host.apply(addr4());
    expect(refusal(host, route())).toBe('ENETDOWN');
    host.apply(up());
    expect(refusal(host, route('10.1.1.1'))).toBe('ENETUNREACH');
    expect(refusal(host, route('192.168.122.2', { destination: '10.0.0.1' }))).toBe('EINVAL');
    roundTrip(host, route());
    host.apply(route());
    expect(refusal(host, route())).toBe('EEXIST');
    host.apply(route('192.168.122.2', { metric: 5 })); // another metric is another route
    host.apply(addr6());
    host.apply(route('fe80::1', { family: 'ipv6', destination: '2001:db8:1::', prefix: 48 })); // link-local gateway is on-link
    expect(host.snapshot().routes.find((r) => r.family === 'ipv6')?.metric).toBe(1024);
  });

  it('deleting an absent route is ESRCH', () => {
    const host = new MockHost();
    host.apply(bridge());
    expect(refusal(host, { kind: 'route.delete', dev: 'virbr0', family: 'ipv4', destination: '10.0.0.0', prefix: 8, gateway: '192.168.122.2' })).toBe('ESRCH');
  });
});

describe('sysctls', () => {
  it('only existing keys, integer values, 0/1 for switches; the undo restores the previous value', () => {
    const host = new MockHost();
    expect(refusal(host, { kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.accept_ra', value: '0', keepOnTeardown: false })).toBe('ENOENT');
    expect(refusal(host, { kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: 'yes', keepOnTeardown: true })).toBe('EINVAL');
    expect(refusal(host, { kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '2', keepOnTeardown: true })).toBe('EINVAL');
    const undo = roundTrip(host, { kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true });
    expect(undo).toEqual([{ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '0', keepOnTeardown: false }]);
    expect(host.apply({ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '0', keepOnTeardown: true })).toEqual([]);
  });

  it('per-link IPv6 keys use / for a dot in the name, and all.forwarding reaches every link', () => {
    const host = new MockHost();
    host.apply(bridge('br.10'));
    expect(host.snapshot().sysctls['net.ipv6.conf.br/10.forwarding']).toBe('0');
    roundTrip(host, { kind: 'sysctl.set', key: 'net.ipv6.conf.all.forwarding', value: '1', keepOnTeardown: true });
    host.apply({ kind: 'sysctl.set', key: 'net.ipv6.conf.all.forwarding', value: '1', keepOnTeardown: true });
    const s = host.snapshot().sysctls;
    expect([s['net.ipv6.conf.default.forwarding'], s['net.ipv6.conf.lo.forwarding'], s['net.ipv6.conf.br/10.forwarding']]).toEqual(['1', '1', '1']);
    host.apply(bridge('later'));
    expect(host.snapshot().sysctls['net.ipv6.conf.later.forwarding']).toBe('1'); // copied from default
  });
});

describe('files, directories and dnsmasq', () => {
  it('a file needs its directory (ENOENT); its undo restores the old content or removes it', () => {
    const host = new MockHost();
    expect(refusal(host, { kind: 'file.write', path: '/var/lib/libvirt/x.conf', content: 'a', mode: 0o600 })).toBe('ENOENT');
    expect(refusal(host, { kind: 'file.write', path: '/var/../etc/x', content: 'a', mode: 0o600 })).toBe('EINVAL');
    expect(refusal(host, { kind: 'file.write', path: 'relative', content: 'a', mode: 0o600 })).toBe('EINVAL');
    expect(refusal(host, { kind: 'file.write', path: '/var', content: 'a', mode: 0o600 })).toBe('EISDIR');
    expect(roundTrip(host, { kind: 'file.write', path: '/tmp/x', content: 'a', mode: 0o600 })).toEqual([{ kind: 'file.remove', path: '/tmp/x' }]);
    host.apply({ kind: 'file.write', path: '/tmp/x', content: 'a', mode: 0o600 });
    expect(roundTrip(host, { kind: 'file.write', path: '/tmp/x', content: 'b', mode: 0o644 })).toEqual([{ kind: 'file.write', path: '/tmp/x', content: 'a', mode: 0o600 }]);
    expect(refusal(host, { kind: 'file.remove', path: '/tmp/nope' })).toBe('ENOENT');
    roundTrip(host, { kind: 'file.remove', path: '/tmp/x' });
  });

  it('dir.create is mkdir -p whose undo removes only what it created, deepest first', () => {
    const host = new MockHost();
    expect(roundTrip(host, { kind: 'dir.create', path: '/var/lib/libvirt/dnsmasq', mode: 0o755 })).toEqual([
      { kind: 'dir.remove', path: '/var/lib/libvirt/dnsmasq' },
      { kind: 'dir.remove', path: '/var/lib/libvirt' },
    ]);
    expect(host.apply({ kind: 'dir.create', path: '/var/lib', mode: 0o755 })).toEqual([]);
    host.apply({ kind: 'dir.create', path: '/var/lib/libvirt', mode: 0o755 });
    host.apply({ kind: 'file.write', path: '/var/lib/libvirt/f', content: '', mode: 0o644 });
    expect(refusal(host, { kind: 'dir.remove', path: '/var/lib/libvirt' })).toBe('ENOTEMPTY');
    expect(refusal(host, { kind: 'dir.remove', path: '/nope' })).toBe('ENOENT');
    expect(refusal(host, { kind: 'dir.create', path: '/var/lib/libvirt/f/g', mode: 0o755 })).toBe('ENOTDIR');
  });

  const conf = (iface: string): Operation => ({ kind: 'file.write', path: `/tmp/${iface}.conf`, content: `interface=${iface}\n`, mode: 0o600 });
  const start = (iface: string, network = iface): Extract<Operation, { kind: 'dnsmasq.start' }> => ({
    kind: 'dnsmasq.start',
    network,
    binary: 'dnsmasq',
    args: [`--conf-file=/tmp/${iface}.conf`, '--leasefile-ro'],
    env: { VIR_BRIDGE_NAME: iface },
    pidfile: `/run/${network}.pid`,
  });

  it('dnsmasq needs its conf file, writes its pidfile, cannot share an interface or run twice; stop removes it all', () => {
    const host = new MockHost();
    expect(refusal(host, start('virbr0'))).toBe('ECOMMAND');
    host.apply(conf('virbr0'));
    expect(refusal(host, { ...start('virbr0'), pidfile: '/run/missing/x.pid' })).toBe('ECOMMAND');
    const undo = roundTrip(host, start('virbr0'));
    expect(undo).toEqual([{ kind: 'dnsmasq.stop', network: 'virbr0', pidfile: '/run/virbr0.pid' }]);
    host.apply(start('virbr0'));
    const snap = host.snapshot();
    expect(snap.processes).toEqual([
      { binary: 'dnsmasq', args: start('virbr0').args, env: { VIR_BRIDGE_NAME: 'virbr0' }, network: 'virbr0', pidfile: '/run/virbr0.pid', confFile: '/tmp/virbr0.conf', interfaces: ['virbr0'] },
    ]);
    expect(snap.files['/run/virbr0.pid']).toEqual({ content: '1001\n', mode: 0o644 });
    expect(refusal(host, start('virbr0'))).toBe('EEXIST');
    expect(refusal(host, { ...start('virbr0', 'other') })).toBe('ECOMMAND'); // same interface, other network
    // The undo of a stop starts dnsmasq again: same command, a new pid in the pidfile.
    const restart = host.apply({ kind: 'dnsmasq.stop', network: 'virbr0', pidfile: '/run/virbr0.pid' });
    expect(host.snapshot().processes).toEqual([]);
    expect(host.snapshot().files['/run/virbr0.pid']).toBeUndefined();
    for (const u of restart) host.apply(u);
    expect(host.snapshot()).toEqual({ ...snap, files: { ...snap.files, '/run/virbr0.pid': { content: '1002\n', mode: 0o644 } } });
    expect(refusal(host, { kind: 'dnsmasq.stop', network: 'x', pidfile: '/run/x.pid' })).toBe('ENOENT');
    host.apply({ kind: 'file.write', path: '/run/x.pid', content: '4242\n', mode: 0o644 });
    expect(refusal(host, { kind: 'dnsmasq.stop', network: 'x', pidfile: '/run/x.pid' })).toBe('ESRCH');
  });
});

describe('firewall', () => {
  const rules: FirewallRules = {
    bridge: 'virbr0',
    rules: [
      { family: 'ipv4', table: 'filter', chain: 'FWO', matches: [{ kind: 'in-interface', name: 'virbr0', role: 'bridge' }], action: { kind: 'REJECT' } },
      { family: 'ipv4', table: 'filter', chain: 'INP', matches: [{ kind: 'in-interface', name: 'virbr0', role: 'bridge' }, { kind: 'protocol', protocol: 'udp' }, { kind: 'destination-port', port: 67 }], action: { kind: 'ACCEPT' } },
      { family: 'ipv6', table: 'filter', chain: 'FWO', matches: [{ kind: 'in-interface', name: 'virbr0', role: 'bridge' }], action: { kind: 'REJECT' } },
    ],
    tcChecksum: { dev: 'virbr0', port: 68 },
  };
  const add = (backend: 'iptables' | 'nftables'): Operation => ({ kind: 'firewall.add', backend, network: 'default', bridge: 'virbr0', rules });
  const remove = (backend: 'iptables' | 'nftables'): Operation => ({ kind: 'firewall.remove', backend, network: 'default', bridge: 'virbr0', rules });

  it('iptables: rules per family, table and chain as iptables-save prints them; duplicates refused; absent rules cannot be removed', () => {
    const host = new MockHost();
    expect(refusal(host, remove('iptables'))).toBe('ECOMMAND');
    roundTrip(host, add('iptables'));
    host.apply(add('iptables'));
    expect(host.snapshot().firewall.iptables).toEqual({
      'ipv4 filter LIBVIRT_FWO': ['-A LIBVIRT_FWO -i virbr0 -j REJECT --reject-with icmp-port-unreachable'],
      'ipv4 filter LIBVIRT_INP': ['-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 67 -j ACCEPT'],
      'ipv6 filter LIBVIRT_FWO': ['-A LIBVIRT_FWO -i virbr0 -j REJECT --reject-with icmp6-port-unreachable'],
    });
    expect(host.snapshot().tcFilters).toEqual([]); // iptables has no tc filter
    expect(refusal(host, add('iptables'))).toBe('EEXIST');
    host.apply(remove('iptables'));
    expect(host.snapshot().firewall.iptables).toEqual({});
  });

  it('nftables: needs the bridge for iif/oif matches, has no INP rules, adds the tc checksum filter', () => {
    const host = new MockHost();
    expect(refusal(host, add('nftables'))).toBe('ECOMMAND');
    host.apply(bridge());
    roundTrip(host, add('nftables'));
    host.apply(add('nftables'));
    const snap = host.snapshot();
    expect(Object.keys(snap.firewall.nftables)).toEqual(['ip libvirt_network guest_output', 'ip6 libvirt_network guest_output']);
    expect(snap.tcFilters).toEqual([{ dev: 'virbr0', port: 68, network: 'default' }]);
    expect(new MockExecutor(host).processCount).toBe(0);
  });
});

describe('MockExecutor', () => {
  it('counts processes as the Linux backend spends them, logs every step and injects faults', async () => {
    const host = new MockHost();
    const executor = new MockExecutor(host);
    const ops: Operation[] = [bridge(), addr4(), up(), { kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true }, addr6()];
    const steps = await executor.execute(ops);
    expect(steps.every((s) => s.ok)).toBe(true);
    expect(executor.processCount).toBe(2); // two runs of ip operations, the sysctl is a /proc write
    executor.failAt(1, 'EBUSY');
    const failed = await executor.execute([{ kind: 'link.delete', name: 'virbr0' }, { kind: 'file.write', path: '/tmp/a', content: '', mode: 0o644 }, { kind: 'file.write', path: '/tmp/b', content: '', mode: 0o644 }]);
    expect(failed.map((s) => s.ok)).toEqual([true, false]);
    expect(failed[1]!.error).toMatchObject({ code: 'EBUSY', message: expect.stringContaining('injected failure') });
    expect(executor.log.slice(-2).map((e) => [e.operation.kind, e.ok, e.injected])).toEqual([
      ['link.delete', true, false],
      ['file.write', false, true],
    ]);
    // failAt fires once; failWhen until cleared.
    expect((await executor.execute([{ kind: 'file.write', path: '/tmp/a', content: '', mode: 0o644 }]))[0]!.ok).toBe(true);
    executor.failWhen((op) => op.kind === 'file.remove', 'EPERM');
    const cont = await executor.execute([{ kind: 'file.remove', path: '/tmp/a' }, { kind: 'file.write', path: '/tmp/c', content: '', mode: 0o644 }], { continueOnError: true });
    expect(cont.map((s) => [s.ok, s.error?.code])).toEqual([
      [false, 'EPERM'],
      [true, undefined],
    ]);
    executor.clearFaults();
    expect((await executor.execute([{ kind: 'file.remove', path: '/tmp/a' }]))[0]!.ok).toBe(true);
  });
});

describe('MockHost.inspect', () => {
  it('without a plan still shows rules and dnsmasq left for the network, in the backend that holds them', () => {
    const host = new MockHost();
    host.apply({
      kind: 'firewall.add',
      backend: 'iptables',
      network: 'ghost',
      bridge: 'virbr3',
      rules: { bridge: 'virbr3', rules: [{ family: 'ipv4', table: 'filter', chain: 'FWX', matches: [{ kind: 'in-interface', name: 'virbr3', role: 'bridge' }, { kind: 'out-interface', name: 'virbr3', role: 'bridge' }], action: { kind: 'ACCEPT' } }] },
    });
    const state = host.inspect('ghost');
    expect(state.active).toBe(false);
    expect(state.links).toEqual([]);
    expect(state.firewall).toEqual({ backend: 'iptables', rules: ['ipv4 filter -A LIBVIRT_FWX -i virbr3 -o virbr3 -j ACCEPT'] });
    expect(state.sysctls).toEqual({ 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' });
    expect(host.inspect('other').firewall).toEqual({ backend: 'nftables', rules: [] });
  });
});
