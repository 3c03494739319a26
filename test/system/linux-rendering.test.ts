/**
 * The LinuxBackend's pure parts, without root: iproute2 batch lines (and refusal of values that
 * could smuggle a second command into a batch), mapping `Command failed -:N` back to operations,
 * sysctl key paths, and the executor's fault injection and batching as seen through a fake `ip`.
 */
import { describe, expect, it } from 'vitest';
import { batchLine, failedLine, ipUndo } from '../../src/backend/linux/iproute2.js';
import { parseBatchFailures } from '../../src/backend/linux/executor.js';
import { sysctlPath } from '../../src/backend/linux/sysctl.js';
import { checkNetnsName } from '../../src/backend/linux/netns.js';
import { checkPath } from '../../src/backend/linux/files.js';
import { HostError } from '../../src/backend/types.js';

describe('iproute2 batch lines', () => {
  it('renders every link/address/route operation as libvirt performs it', () => {
    expect(batchLine({ kind: 'link.create-bridge', name: 'virbr0', mac: '52:54:00:AB:cd:01', mtu: 9000, stp: true, forwardDelay: 0 })).toBe(
      'link add virbr0 address 52:54:00:ab:cd:01 mtu 9000 type bridge forward_delay 0 stp_state 1',
    );
    expect(batchLine({ kind: 'link.create-bridge', name: 'virbr0', stp: false, forwardDelay: 200 })).toBe('link add virbr0 type bridge forward_delay 200 stp_state 0');
    expect(batchLine({ kind: 'link.set-state', dev: 'virbr0', up: false })).toBe('link set dev virbr0 down');
    expect(batchLine({ kind: 'link.set-bridge-option', dev: 'br0', option: 'vlan_filtering', value: 1, previous: 0 })).toBe('link set dev br0 type bridge vlan_filtering 1');
    expect(batchLine({ kind: 'address.add', dev: 'virbr0', family: 'ipv4', address: '192.168.122.1', prefix: 24, broadcast: '192.168.122.255' })).toBe(
      'address add 192.168.122.1/24 broadcast 192.168.122.255 dev virbr0',
    );
    expect(batchLine({ kind: 'address.add', dev: 'virbr0', family: 'ipv6', address: '2001:db8::1', prefix: 64 })).toBe('address add 2001:db8::1/64 dev virbr0');
    expect(batchLine({ kind: 'route.add', dev: 'virbr0', family: 'ipv4', destination: '10.0.0.0', prefix: 8, gateway: '192.168.122.2', metric: 0, ignoreErrors: true })).toBe(
      'route add 10.0.0.0/8 via 192.168.122.2 dev virbr0',
    );
    expect(batchLine({ kind: 'route.delete', dev: 'virbr0', family: 'ipv6', destination: '2001:db9::', prefix: 48, gateway: '2001:db8::2', metric: 7 })).toBe(
      'route del 2001:db9::/48 via 2001:db8::2 dev virbr0 metric 7',
    );
  });

  it.each([
    ['a newline', 'virbr0\nlink del eth0'],
    ['a blank', 'vir br0'],
    ['a comment sign', 'virbr0#x'],
    ['a quote', 'vir"br0'],
    ['16 bytes', 'virbr0123456789a'],
    ['a slash', 'a/b'],
    ['nothing', ''],
  ])('refuses an interface name with %s (EINVAL, nothing rendered)', (_what, name) => {
    let error: unknown;
    try {
      batchLine({ kind: 'link.delete', name });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).code).toBe('EINVAL');
  });

  it('refuses malformed addresses, prefixes and MACs', () => {
    expect(() => batchLine({ kind: 'address.add', dev: 'br0', family: 'ipv4', address: '1.2.3.4 dev eth0', prefix: 24 })).toThrow(/invalid ipv4 address/);
    expect(() => batchLine({ kind: 'address.add', dev: 'br0', family: 'ipv6', address: 'fe80::1%eth0', prefix: 64 })).toThrow(/invalid ipv6 address/);
    expect(() => batchLine({ kind: 'address.add', dev: 'br0', family: 'ipv4', address: '1.2.3.4', prefix: 33 })).toThrow(/invalid prefix/);
    expect(() => batchLine({ kind: 'link.create-bridge', name: 'br0', mac: '52:54:00:zz:00:01', stp: false, forwardDelay: 0 })).toThrow(/invalid MAC/);
  });

  it('maps iproute2 failures to 0-based batch lines with their messages', () => {
    expect(failedLine('Command failed -:3')).toBe(2);
    expect(failedLine('nothing')).toBeUndefined();
    const failures = parseBatchFailures('RTNETLINK answers: File exists\nCommand failed -:1\nCannot find device "x"\nCommand failed -:4\n');
    expect([...failures.entries()]).toEqual([
      [0, 'RTNETLINK answers: File exists'],
      [3, 'Cannot find device "x"'],
    ]);
  });

  it('undoes exactly what an operation changed', () => {
    expect(ipUndo({ kind: 'link.create-bridge', name: 'br0', stp: true, forwardDelay: 200 })).toEqual([{ kind: 'link.delete', name: 'br0' }]);
    expect(ipUndo({ kind: 'route.add', dev: 'br0', family: 'ipv4', destination: '10.0.0.0', prefix: 8, gateway: '10.1.1.1', ignoreErrors: true })).toEqual([
      { kind: 'route.delete', dev: 'br0', family: 'ipv4', destination: '10.0.0.0', prefix: 8, gateway: '10.1.1.1' },
    ]);
    expect(ipUndo({ kind: 'link.set-bridge-option', dev: 'br0', option: 'vlan_filtering', value: 1, previous: 1 })).toEqual([]);
  });
});

describe('names and paths that reach the host', () => {
  it('sysctl keys: dots separate, "/" in a segment is a "." of an interface name', () => {
    expect(sysctlPath('net.ipv4.ip_forward')).toBe('net/ipv4/ip_forward');
    expect(sysctlPath('net.ipv6.conf.br/10.accept_ra')).toBe('net/ipv6/conf/br.10/accept_ra');
    expect(() => sysctlPath('net.ipv6.conf.../x')).toThrow(HostError);
    expect(() => sysctlPath('net/../../etc/passwd')).toThrow(HostError);
    expect(() => sysctlPath('net.ipv4.conf.a b.x')).toThrow(HostError);
  });

  it('namespace names and file paths', () => {
    expect(checkNetnsName('vnt-1-host0')).toBe('vnt-1-host0');
    expect(() => checkNetnsName('../x')).toThrow(HostError);
    expect(() => checkNetnsName('a b')).toThrow(HostError);
    expect(checkPath('/var/lib/libvirt/dnsmasq/default.conf')).toBe('/var/lib/libvirt/dnsmasq/default.conf');
    for (const bad of ['relative/x', '/a/../b', '/a//b', '/a/b\0c']) expect(() => checkPath(bad), bad).toThrow(HostError);
  });
});
