import { describe, expect, it } from 'vitest';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';
import { CompileError } from '../../src/compile/errors.js';
import {
  addressOperations,
  canonicalMac,
  createBridgeOperation,
  forwardingSysctlOperations,
  interfaceSysctlKey,
  ipv6SysctlOperations,
  linkUpOperation,
  routeOperations,
  routePrefix,
  vlanFilteringOperation,
} from '../../src/compile/netlink.js';
import type { OmittedStep } from '../../src/compile/plan.js';

const net = (init: Partial<NetworkInit>) => defineNetwork({ name: 'n', ...init } as NetworkInit);

function compileError(fn: () => unknown): CompileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error('expected a CompileError');
}

describe('createBridgeOperation', () => {
  it('uses libvirt defaults: STP on, delay 0, no MTU', () => {
    expect(createBridgeOperation(net({}), 'virbr0', '52:54:00:12:34:56')).toEqual({
      kind: 'link.create-bridge',
      name: 'virbr0',
      mac: '52:54:00:12:34:56',
      stp: true,
      forwardDelay: 0,
    });
  });

  it('converts the delay from seconds to centiseconds and keeps STP off', () => {
    const op = createBridgeOperation(net({ bridge: { stp: false, delay: 5 } }), 'br1', undefined);
    expect(op).toEqual({ kind: 'link.create-bridge', name: 'br1', stp: false, forwardDelay: 500 });
    expect('mac' in op).toBe(false);
  });

  it('records what libvirt asks for with STP on and delay 0 (the kernel makes it 200)', () => {
    expect(createBridgeOperation(net({ bridge: { stp: true, delay: 0 } }), 'b', undefined).forwardDelay).toBe(0);
  });

  it('carries a non-zero MTU and leaves out 0', () => {
    expect(createBridgeOperation(net({ mtu: 9000 }), 'b', undefined).mtu).toBe(9000);
    expect('mtu' in createBridgeOperation(net({ mtu: 0 }), 'b', undefined)).toBe(false);
  });

  it('refuses an MTU a bridge cannot take', () => {
    const e = compileError(() => createBridgeOperation(net({ mtu: 70000 }), 'b', undefined));
    expect(e.code).toBe('mtu.out-of-range');
    expect(e.path).toBe('/network/mtu/@size');
    expect(compileError(() => createBridgeOperation(net({ mtu: 60 }), 'b', undefined)).code).toBe('mtu.out-of-range');
  });

  it('canonicalises the MAC and refuses a multicast one', () => {
    expect(createBridgeOperation(net({}), 'b', '52:54:0:A:bC:1').mac).toBe('52:54:00:0a:bc:01');
    const e = compileError(() => createBridgeOperation(net({}), 'b', '01:00:5e:00:00:01'));
    expect(e.code).toBe('mac.multicast');
    expect(e.path).toBe('/network/mac/@address');
  });

  it('refuses a delay the kernel attribute cannot carry', () => {
    const e = compileError(() => createBridgeOperation(net({ bridge: { delay: 50_000_000 } }), 'b', undefined));
    expect(e.code).toBe('bridge.delay.out-of-range');
  });
});

describe('canonicalMac', () => {
  it('pads and lowercases every group', () => {
    expect(canonicalMac('A:B:C:D:E:F')).toBe('0a:0b:0c:0d:0e:0f');
  });
});

describe('addressOperations', () => {
  it('adds IPv4 with the netmask prefix and the subnet broadcast, in document order', () => {
    const ops = addressOperations(
      net({
        ips: [
          { address: '192.168.122.1', netmask: '255.255.255.0' },
          { address: '10.1.2.3', prefix: 16 },
          { family: 'ipv6', address: '2001:DB8:0:0::1', prefix: 64 },
        ],
      }),
      'virbr0',
    );
    expect(ops).toEqual([
      { kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '192.168.122.1', prefix: 24, broadcast: '192.168.122.255' },
      { kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '10.1.2.3', prefix: 16, broadcast: '10.1.255.255' },
      { kind: 'address.add', dev: 'virbr0', family: 'ipv6', address: '2001:db8::1', prefix: 64 },
    ]);
  });

  it('uses the classful default for IPv4 and /64 for IPv6 when neither prefix nor netmask is given', () => {
    const ops = addressOperations(
      net({ ips: [{ address: '10.0.0.1' }, { address: '172.16.0.1' }, { family: 'ipv6', address: 'fd00::1' }] }),
      'b',
    );
    expect(ops.map((o) => [o.prefix, o.broadcast])).toEqual([
      [8, '10.255.255.255'],
      [16, '172.16.255.255'],
      [64, undefined],
    ]);
  });

  it('gives a /32 its own address as broadcast', () => {
    expect(addressOperations(net({ ips: [{ address: '10.9.9.9', prefix: 32 }] }), 'b')[0]!.broadcast).toBe('10.9.9.9');
  });

  it('refuses a non-contiguous netmask with the <ip> path', () => {
    const e = compileError(() =>
      addressOperations(net({ ips: [{ address: '10.0.0.1', prefix: 8 }, { address: '192.168.1.1', netmask: '255.0.255.0' }] }), 'virbr3'),
    );
    expect(e.code).toBe('ip.prefix.undetermined');
    expect(e.path).toBe('/network/ip[2]');
    expect(e.message).toContain("bridge 'virbr3' has an invalid netmask or IP address");
  });

  it('refuses a class D address without prefix, and an IPv4 prefix above 32', () => {
    expect(compileError(() => addressOperations(net({ ips: [{ address: '224.0.0.5' }] }), 'b')).code).toBe('ip.prefix.undetermined');
    expect(compileError(() => addressOperations(net({ ips: [{ address: '10.0.0.1', prefix: 40 }] }), 'b')).code).toBe('ip.prefix.undetermined');
  });

  it('is empty without <ip>', () => {
    expect(addressOperations(net({}), 'b')).toEqual([]);
  });
});

describe('routeOperations', () => {
  it('routes through the bridge with errors ignored, metric only when set', () => {
    const omitted: OmittedStep[] = [];
    const ops = routeOperations(
      net({
        ips: [{ address: '192.168.122.1', prefix: 24 }, { family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64 }],
        routes: [
          { address: '192.168.222.0', prefix: 24, gateway: '192.168.122.10', metric: 5 },
          { address: '192.168.223.0', netmask: '255.255.255.0', gateway: '192.168.122.11' },
          { family: 'ipv6', address: '2001:DB8:AC10:FD01::', prefix: 64, gateway: '2001:db8:ca2:2::2' },
        ],
      }),
      'virbr0',
      omitted,
    );
    expect(ops).toEqual([
      { kind: 'route.add', dev: 'virbr0', family: 'ipv4', destination: '192.168.222.0', prefix: 24, gateway: '192.168.122.10', metric: 5, ignoreErrors: true },
      { kind: 'route.add', dev: 'virbr0', family: 'ipv4', destination: '192.168.223.0', prefix: 24, gateway: '192.168.122.11', ignoreErrors: true },
      { kind: 'route.add', dev: 'virbr0', family: 'ipv6', destination: '2001:db8:ac10:fd01::', prefix: 64, gateway: '2001:db8:ca2:2::2', ignoreErrors: true },
    ]);
    expect(omitted).toEqual([]);
  });

  it('computes libvirt’s route prefixes for default routes', () => {
    const r = (init: object) => net({ routes: [{ gateway: '10.0.0.2', ...init } as never] }).routes![0]!;
    expect(routePrefix(r({ address: '0.0.0.0', prefix: 0 }))).toBe(0);
    expect(routePrefix(r({ address: '0.0.0.0', netmask: '0.0.0.0' }))).toBe(0);
    expect(routePrefix(r({ address: '0.0.0.0' }))).toBe(0);
    expect(routePrefix(r({ family: 'ipv6', address: '::', prefix: 0, gateway: 'fd00::2' }))).toBe(0);
    // `::` without a prefix is a /64, as virSocketAddrGetIPPrefix defaults IPv6 to 64.
    expect(routePrefix(r({ family: 'ipv6', address: '::', gateway: 'fd00::2' }))).toBe(64);
    expect(routePrefix(r({ address: '10.5.0.0', prefix: 0 }))).toBe(8);
  });

  it('leaves out a route without a usable prefix, as libvirt skips it, and says so', () => {
    const omitted: OmittedStep[] = [];
    const ops = routeOperations(
      net({ routes: [{ address: '10.0.0.0', prefix: 8, gateway: '10.0.0.2' }, { address: '225.1.0.0', gateway: '10.0.0.3' }] }),
      'b',
      omitted,
    );
    expect(ops).toHaveLength(1);
    expect(omitted).toEqual([{ feature: 'route', path: '/network/route[2]', reason: expect.stringContaining('invalid netmask or IP address in route definition') }]);
  });
});

describe('sysctl operations', () => {
  it('disables IPv6 on a bridge without IPv6 addresses and always turns off RA and autoconf', () => {
    expect(ipv6SysctlOperations(net({ ips: [{ address: '10.0.0.1', prefix: 24 }] }), 'virbr0')).toEqual([
      { kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.disable_ipv6', value: '1', keepOnTeardown: false },
      { kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.accept_ra', value: '0', keepOnTeardown: false },
      { kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.autoconf', value: '0', keepOnTeardown: false },
    ]);
  });

  it('enables IPv6 on a bridge with an IPv6 address', () => {
    const ops = ipv6SysctlOperations(net({ ips: [{ family: 'ipv6', address: 'fd00::1', prefix: 64 }] }), 'virbr0');
    expect(ops[0]).toEqual({ kind: 'sysctl.set', key: 'net.ipv6.conf.virbr0.disable_ipv6', value: '0', keepOnTeardown: false });
  });

  it('writes a dot in a bridge name as / in the key (procps convention)', () => {
    expect(interfaceSysctlKey('ipv6', 'br.10', 'accept_ra')).toBe('net.ipv6.conf.br/10.accept_ra');
    expect(ipv6SysctlOperations(net({}), 'br.10')[0]!.key).toBe('net.ipv6.conf.br/10.disable_ipv6');
  });

  it('never touches forwarding for an isolated network', () => {
    expect(forwardingSysctlOperations(net({ ips: [{ address: '10.0.0.1', prefix: 24 }, { family: 'ipv6', address: 'fd00::1' }] }))).toEqual([]);
  });

  it('enables forwarding per family present, kept on teardown', () => {
    expect(forwardingSysctlOperations(net({ forward: { mode: 'nat' }, ips: [{ address: '10.0.0.1', prefix: 24 }] }))).toEqual([
      { kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true },
    ]);
    expect(forwardingSysctlOperations(net({ forward: { mode: 'route' }, ips: [{ family: 'ipv6', address: 'fd00::1' }] }))).toEqual([
      { kind: 'sysctl.set', key: 'net.ipv6.conf.all.forwarding', value: '1', keepOnTeardown: true },
    ]);
    expect(
      forwardingSysctlOperations(net({ forward: { mode: 'open' }, ips: [{ address: '10.0.0.1' }, { family: 'ipv6', address: 'fd00::1' }] })).map((o) => o.key),
    ).toEqual(['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']);
  });
});

describe('link operations', () => {
  it('turns on vlan filtering from the kernel default 0, and brings the link up', () => {
    expect(vlanFilteringOperation('virbr0')).toEqual({ kind: 'link.set-bridge-option', dev: 'virbr0', option: 'vlan_filtering', value: 1, previous: 0 });
    expect(linkUpOperation('virbr0')).toEqual({ kind: 'link.set-state', dev: 'virbr0', up: true });
  });
});
