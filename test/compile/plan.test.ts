import { describe, expect, it } from 'vitest';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';
import { compileNetwork, type CompileOptions } from '../../src/compile/index.js';
import { CompileError } from '../../src/compile/errors.js';
import type { Operation, Plan } from '../../src/compile/plan.js';

/** A fixed random source: generated MACs are 52:54:00:12:34:56. */
const random = (n: number) => Uint8Array.from([0x12, 0x34, 0x56, 0x78].slice(0, n));
const compile = (init: NetworkInit, options: CompileOptions = {}) => compileNetwork(defineNetwork(init), { random, ...options });
const kinds = (plan: Plan) => plan.operations.map((op) => op.kind);
const ofKind = <K extends Operation['kind']>(plan: Plan, kind: K) =>
  plan.operations.filter((op): op is Extract<Operation, { kind: K }> => op.kind === kind);

const defaultNat: NetworkInit = {
  name: 'default',
  uuid: '0c8c0a5e-8a4a-4c0c-9d7e-1a2b3c4d5e6f',
  forward: { mode: 'nat' },
  bridge: { name: 'virbr0', stp: true, delay: 0 },
  ips: [{ address: '192.168.122.1', netmask: '255.255.255.0', dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }] } }],
};

function compileError(fn: () => unknown): CompileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error('expected a CompileError');
}

describe('compileNetwork: nat (libvirt default network)', () => {
  const plan = compile(defaultNat);

  it('has the plan header', () => {
    expect(plan).toMatchObject({ version: 1, network: 'default', uuid: defaultNat.uuid, bridge: 'virbr0', forwardMode: 'nat', firewallBackend: 'nftables' });
    expect('omitted' in plan).toBe(false);
  });

  it('orders link/address/route first (one ip batch), then sysctls, firewall, forwarding, files, dnsmasq', () => {
    expect(kinds(plan)).toEqual([
      'link.create-bridge',
      'address.add',
      'link.set-state',
      'sysctl.set',
      'sysctl.set',
      'sysctl.set',
      'firewall.add',
      'sysctl.set',
      'dir.create',
      'dir.create',
      'file.write',
      'file.write',
      'file.write',
      'dnsmasq.start',
    ]);
  });

  it('creates the bridge with a generated 52:54:00 MAC, STP on, delay 0', () => {
    expect(plan.operations[0]).toEqual({ kind: 'link.create-bridge', name: 'virbr0', mac: '52:54:00:12:34:56', stp: true, forwardDelay: 0 });
  });

  it('adds the address with its broadcast and brings the link up', () => {
    expect(plan.operations[1]).toEqual({ kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '192.168.122.1', prefix: 24, broadcast: '192.168.122.255' });
    expect(plan.operations[2]).toEqual({ kind: 'link.set-state', dev: 'virbr0', up: true });
  });

  it('disables IPv6 on the bridge and enables IPv4 forwarding only', () => {
    expect(ofKind(plan, 'sysctl.set').map((op) => `${op.key}=${op.value}${op.keepOnTeardown ? ' keep' : ''}`)).toEqual([
      'net.ipv6.conf.virbr0.disable_ipv6=1',
      'net.ipv6.conf.virbr0.accept_ra=0',
      'net.ipv6.conf.virbr0.autoconf=0',
      'net.ipv4.ip_forward=1 keep',
    ]);
  });

  it('installs the firewall rules for the bridge with the chosen backend', () => {
    const [fw] = ofKind(plan, 'firewall.add');
    expect(fw).toMatchObject({ backend: 'nftables', network: 'default', bridge: 'virbr0' });
    expect(fw!.rules.bridge).toBe('virbr0');
    expect(fw!.rules.rules.some((r) => r.action.kind === 'MASQUERADE')).toBe(true);
    expect(compile(defaultNat, { firewallBackend: 'iptables' }).firewallBackend).toBe('iptables');
    expect(ofKind(compile(defaultNat, { firewallBackend: 'iptables' }), 'firewall.add')[0]!.backend).toBe('iptables');
  });

  it('writes dnsmasq files: conf 0600 (read as root), hostsfile and addnhosts 0644 in 0755 folders', () => {
    expect(ofKind(plan, 'dir.create')).toEqual([
      { kind: 'dir.create', path: '/run/libvirt/network', mode: 0o755 },
      { kind: 'dir.create', path: '/var/lib/libvirt/dnsmasq', mode: 0o755 },
    ]);
    const files = ofKind(plan, 'file.write');
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['/var/lib/libvirt/dnsmasq/default.conf', 0o600],
      ['/var/lib/libvirt/dnsmasq/default.hostsfile', 0o644],
      ['/var/lib/libvirt/dnsmasq/default.addnhosts', 0o644],
    ]);
    const conf = files[0]!.content;
    expect(conf).toContain('\ninterface=virbr0\n');
    expect(conf).toContain('\npid-file=/run/libvirt/network/default.pid\n');
    expect(conf).toContain('\ndhcp-range=192.168.122.2,192.168.122.254,255.255.255.0\n');
    // libvirt's dnsmasqSave writes both files even when empty.
    expect(files[1]!.content).toBe('');
    expect(files[2]!.content).toBe('');
  });

  it('starts dnsmasq with libvirt’s command line and only VIR_BRIDGE_NAME in the environment', () => {
    expect(ofKind(plan, 'dnsmasq.start')).toEqual([
      {
        kind: 'dnsmasq.start',
        network: 'default',
        binary: 'dnsmasq',
        args: ['--conf-file=/var/lib/libvirt/dnsmasq/default.conf', '--leasefile-ro'],
        env: { VIR_BRIDGE_NAME: 'virbr0' },
        pidfile: '/run/libvirt/network/default.pid',
      },
    ]);
  });

  it('honours the folder, binary and lease helper options', () => {
    const p = compile(defaultNat, { stateDir: '/tmp/vn/lib', pidDir: '/tmp/vn/run', dnsmasqBinary: '/usr/sbin/dnsmasq', leaseHelper: '/usr/lib/libvirt/libvirt_leaseshelper' });
    const start = ofKind(p, 'dnsmasq.start')[0]!;
    expect(start.binary).toBe('/usr/sbin/dnsmasq');
    expect(start.args).toEqual(['--conf-file=/tmp/vn/lib/default.conf', '--leasefile-ro', '--dhcp-script=/usr/lib/libvirt/libvirt_leaseshelper']);
    expect(start.pidfile).toBe('/tmp/vn/run/default.pid');
    expect(ofKind(p, 'dir.create').map((d) => d.path)).toEqual(['/tmp/vn/run', '/tmp/vn/lib']);
  });

  it('creates one folder when state and pid folders are the same', () => {
    expect(ofKind(compile(defaultNat, { stateDir: '/tmp/vn', pidDir: '/tmp/vn' }), 'dir.create')).toHaveLength(1);
  });

  it('is plain JSON data', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    // No key holds undefined: a plan read back from a file is equal key for key.
    const hasUndefined = (v: unknown): boolean =>
      typeof v === 'object' && v !== null && Object.values(v).some((x) => x === undefined || hasUndefined(x));
    expect(hasUndefined(plan)).toBe(false);
  });
});

describe('compileNetwork: other virtual modes', () => {
  it('route: firewall and forwarding, no NAT rules', () => {
    const plan = compile({ ...defaultNat, name: 'routed', forward: { mode: 'route' } });
    expect(plan.forwardMode).toBe('route');
    const fw = ofKind(plan, 'firewall.add')[0]!;
    expect(fw.rules.rules.some((r) => r.action.kind === 'MASQUERADE')).toBe(false);
    expect(ofKind(plan, 'sysctl.set').some((op) => op.key === 'net.ipv4.ip_forward')).toBe(true);
  });

  it('open: no firewall operation at all, forwarding still on', () => {
    const plan = compile({ ...defaultNat, name: 'open', forward: { mode: 'open' } });
    expect(kinds(plan)).not.toContain('firewall.add');
    expect(ofKind(plan, 'sysctl.set').some((op) => op.key === 'net.ipv4.ip_forward')).toBe(true);
    expect(kinds(plan)).toContain('dnsmasq.start');
  });

  it('isolated: firewall but no forwarding sysctl', () => {
    const plan = compile({ name: 'iso', bridge: { name: 'virbr5' }, ips: [{ address: '10.5.0.1', prefix: 24 }] });
    expect(plan.forwardMode).toBe('none');
    expect(kinds(plan)).toContain('firewall.add');
    expect(ofKind(plan, 'sysctl.set').map((op) => op.key)).toEqual([
      'net.ipv6.conf.virbr5.disable_ipv6',
      'net.ipv6.conf.virbr5.accept_ra',
      'net.ipv6.conf.virbr5.autoconf',
    ]);
    // dnsmasq runs for DNS even without DHCP; isolated networks get dhcp-option=3 (no router).
    const conf = ofKind(plan, 'file.write')[0]!.content;
    expect(conf).toContain('\ndhcp-option=3\n');
  });

  it('isolated without <ip>: bridge, link up, sysctls and firewall; no dnsmasq', () => {
    const plan = compile({ name: 'bare', bridge: { name: 'virbr6' } });
    expect(kinds(plan)).toEqual(['link.create-bridge', 'link.set-state', 'sysctl.set', 'sysctl.set', 'sysctl.set', 'firewall.add']);
  });

  it('no dnsmasq when nothing is served and DNS is off', () => {
    const plan = compile({ ...defaultNat, ips: [{ address: '192.168.122.1', prefix: 24 }], dns: { enable: false } });
    expect(kinds(plan).filter((k) => k.startsWith('dnsmasq') || k.startsWith('file') || k.startsWith('dir'))).toEqual([]);
  });

  it('IPv6: address without broadcast, disable_ipv6 0, both forwarding switches', () => {
    const plan = compile({
      ...defaultNat,
      ips: [...defaultNat.ips!, { family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64, dhcp: { ranges: [{ start: '2001:db8:ca2:2::100', end: '2001:db8:ca2:2::1ff' }] } }],
    });
    expect(ofKind(plan, 'address.add')[1]).toEqual({ kind: 'address.add', dev: 'virbr0', family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64 });
    expect(ofKind(plan, 'sysctl.set').map((op) => `${op.key}=${op.value}`)).toEqual([
      'net.ipv6.conf.virbr0.disable_ipv6=0',
      'net.ipv6.conf.virbr0.accept_ra=0',
      'net.ipv6.conf.virbr0.autoconf=0',
      'net.ipv4.ip_forward=1',
      'net.ipv6.conf.all.forwarding=1',
    ]);
  });

  it('routes come right after link up, before any sysctl', () => {
    const plan = compile({
      ...defaultNat,
      routes: [
        { address: '192.168.222.0', prefix: 24, gateway: '192.168.122.2' },
        { address: '10.0.0.0', netmask: '255.0.0.0', gateway: '192.168.122.3', metric: 10 },
      ],
    });
    expect(kinds(plan).slice(0, 6)).toEqual(['link.create-bridge', 'address.add', 'link.set-state', 'route.add', 'route.add', 'sysctl.set']);
    expect(plan.operations[4]).toEqual({
      kind: 'route.add', dev: 'virbr0', family: 'ipv4', destination: '10.0.0.0', prefix: 8, gateway: '192.168.122.3', metric: 10, ignoreErrors: true,
    });
  });

  it('mtu, mac and delay reach the bridge; the mtu reaches dnsmasq', () => {
    const plan = compile({ ...defaultNat, mtu: 9000, mac: '52:54:00:AB:CD:EF', bridge: { name: 'virbr0', stp: false, delay: 3 } });
    expect(plan.operations[0]).toEqual({ kind: 'link.create-bridge', name: 'virbr0', mac: '52:54:00:ab:cd:ef', mtu: 9000, stp: false, forwardDelay: 300 });
    expect(ofKind(plan, 'file.write')[0]!.content).toContain('\ndhcp-option=option:mtu,9000\n');
  });

  it('macTableManager=libvirt turns on vlan filtering right after creation', () => {
    const plan = compile({ ...defaultNat, bridge: { name: 'virbr0', macTableManager: 'libvirt' } });
    expect(plan.operations[1]).toEqual({ kind: 'link.set-bridge-option', dev: 'virbr0', option: 'vlan_filtering', value: 1, previous: 0 });
    expect(kinds(compile(defaultNat))).not.toContain('link.set-bridge-option');
  });

  it('generateMac: false leaves the MAC to the kernel', () => {
    expect('mac' in compile(defaultNat, { generateMac: false }).operations[0]!).toBe(false);
  });

  it('generates a fresh MAC per compile by default', () => {
    const net = defineNetwork(defaultNat);
    const mac = (compileNetwork(net).operations[0] as { mac: string }).mac;
    expect(mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });
});

describe('compileNetwork: bridge allocation', () => {
  const noName: NetworkInit = { name: 'auto', forward: { mode: 'nat' }, ips: [{ address: '10.9.0.1', prefix: 24 }] };

  it('allocates the first free virbrN and uses it everywhere', () => {
    const plan = compile(noName, { usedBridgeNames: ['virbr0', 'virbr1', 'eth0'] });
    expect(plan.bridge).toBe('virbr2');
    const devs = plan.operations.flatMap((op) => ('dev' in op ? [op.dev] : 'name' in op ? [op.name] : 'bridge' in op ? [op.bridge] : []));
    expect(new Set(devs)).toEqual(new Set(['virbr2']));
    expect(ofKind(plan, 'dnsmasq.start')[0]!.env).toEqual({ VIR_BRIDGE_NAME: 'virbr2' });
  });

  it('fills a %d template', () => {
    expect(compile({ ...noName, bridge: { name: 'lab%d' } }, { usedBridgeNames: new Set(['lab0']) }).bridge).toBe('lab1');
  });

  it('refuses an unsafe or too long bridge name', () => {
    expect(compileError(() => compile({ ...noName, bridge: { name: 'virbr-too-long-x' } })).code).toBe('bridge.name.too-long');
    const e = compileError(() => compile({ ...noName, bridge: { name: 'br0; reboot' } }));
    expect(e.code).toBe('bridge.name.invalid-char');
    expect(e.path).toBe('/network/bridge/@name');
  });

  it('refuses an <ip> without a usable prefix', () => {
    expect(compileError(() => compile({ ...noName, ips: [{ address: '10.9.0.1', netmask: '255.0.255.0' }] })).path).toBe('/network/ip[1]');
  });

  it('refuses bad options', () => {
    expect(compileError(() => compile(noName, { stateDir: 'relative/dir' })).path).toBe('options.stateDir');
    expect(compileError(() => compile(noName, { pidDir: '/run/x\ny' })).path).toBe('options.pidDir');
    expect(compileError(() => compile(noName, { firewallBackend: 'ipfw' as never })).path).toBe('options.firewallBackend');
  });

  it('refuses a network name that would leave the state folder', () => {
    expect(compileError(() => compile({ ...noName, name: '../etc' })).path).toBe('/network/name');
  });
});

describe('compileNetwork: modes without a libvirt bridge', () => {
  it('bridge with a host bridge: nothing, or only vlan filtering for macTableManager=libvirt', () => {
    const plain = compile({ name: 'host', forward: { mode: 'bridge' }, bridge: { name: 'br0' } });
    expect(plain).toMatchObject({ bridge: 'br0', forwardMode: 'bridge', operations: [] });
    const vlan = compile({ name: 'host', forward: { mode: 'bridge' }, bridge: { name: 'br0', macTableManager: 'libvirt' } });
    expect(vlan.operations).toEqual([{ kind: 'link.set-bridge-option', dev: 'br0', option: 'vlan_filtering', value: 1, previous: 0 }]);
  });

  it('bridge with a host bridge: <bandwidth> is listed as left out (no tc)', () => {
    const plan = compile({ name: 'host', forward: { mode: 'bridge' }, bridge: { name: 'br0' }, bandwidth: { inbound: { average: 1000 } } });
    expect(plan.omitted).toEqual([{ feature: 'bandwidth', path: '/network/bandwidth', reason: expect.stringContaining('tc') }]);
  });

  for (const mode of ['private', 'vepa', 'passthrough'] as const) {
    it(`${mode}: an empty plan without bridge`, () => {
      const plan = compile({ name: mode, forward: { mode, interfaces: [{ dev: 'eth1' }] } });
      expect(plan).toEqual({ version: 1, network: mode, forwardMode: mode, firewallBackend: 'nftables', operations: [] });
    });
  }

  it('hostdev and bridge without a name: empty plans', () => {
    expect(compile({ name: 'h', forward: { mode: 'hostdev', pf: { dev: 'eth2' } } }).operations).toEqual([]);
    expect(compile({ name: 'b', forward: { mode: 'bridge', interfaces: [{ dev: 'eth1' }] } }).operations).toEqual([]);
  });
});

describe('compileNetwork: what is left out', () => {
  it('lists bandwidth, zone and resolved registration of a virtual network', () => {
    const plan = compile({
      ...defaultNat,
      bridge: { name: 'virbr0', zone: 'trusted' },
      domain: { name: 'example.com', localOnly: true, register: true },
      bandwidth: { outbound: { average: 500 } },
    });
    expect(plan.omitted!.map((o) => [o.feature, o.path])).toEqual([
      ['bandwidth', '/network/bandwidth'],
      ['firewalld-zone', '/network/bridge/@zone'],
      ['resolved-register', '/network/domain/@register'],
    ]);
    // Nothing else changes: the same operations as without them, apart from the domain lines.
    expect(kinds(plan)).toEqual(kinds(compile(defaultNat)));
  });

  it('lists a route libvirt would skip', () => {
    const plan = compile({ ...defaultNat, routes: [{ address: '225.0.0.0', gateway: '192.168.122.9' }] });
    expect(kinds(plan)).not.toContain('route.add');
    expect(plan.omitted).toEqual([expect.objectContaining({ feature: 'route', path: '/network/route[1]' })]);
  });
});

describe('compileNetwork: JSON', () => {
  it('round-trips a plan holding every kind it emits, and what it leaves out', () => {
    const plan = compile({
      ...defaultNat,
      bridge: { name: 'virbr0', macTableManager: 'libvirt' },
      mtu: 1400,
      bandwidth: { inbound: { average: 100 } },
      dns: { hosts: [{ ip: '192.168.122.9', hostnames: ['a', 'b'] }] },
      ips: [
        { address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }], hosts: [{ mac: '52:54:00:00:00:09', name: 'g', ip: '192.168.122.9' }] } },
        { family: 'ipv6', address: 'fd00::1', prefix: 64 },
      ],
      routes: [{ family: 'ipv6', address: 'fd01::', prefix: 64, gateway: 'fd00::2', metric: 1 }],
    });
    expect(new Set(kinds(plan))).toEqual(
      new Set(['link.create-bridge', 'link.set-bridge-option', 'address.add', 'link.set-state', 'route.add', 'sysctl.set', 'firewall.add', 'dir.create', 'file.write', 'dnsmasq.start']),
    );
    expect(plan.omitted).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});
