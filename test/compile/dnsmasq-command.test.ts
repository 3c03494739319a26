/** dnsmasq paths, command line and the "does it run" rule (host-backend.md §1, §4.1, §4.2). */
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../src/compile/errors.js';
import { dnsmasqCommand, dnsmasqPaths, needsDnsmasq } from '../../src/compile/dnsmasq/index.js';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';

const base: NetworkInit = { name: 'default', forward: { mode: 'nat' }, ips: [{ address: '192.168.122.1', prefix: 24 }] };

describe('dnsmasqPaths', () => {
  it('libvirt paths: raw name for the conf, XML-escaped name elsewhere', () => {
    const net = defineNetwork({ ...base, name: `a"b'c&d<e>` });
    expect(dnsmasqPaths(net, { bridge: 'virbr0' })).toEqual({
      conf: `/var/lib/libvirt/dnsmasq/a"b'c&d<e>.conf`,
      hostsfile: '/var/lib/libvirt/dnsmasq/a&quot;b&apos;c&amp;d&lt;e&gt;.hostsfile',
      addnhosts: '/var/lib/libvirt/dnsmasq/a&quot;b&apos;c&amp;d&lt;e&gt;.addnhosts',
      pidfile: '/run/libvirt/network/a&quot;b&apos;c&amp;d&lt;e&gt;.pid',
    });
  });

  it('honours stateDir and an explicit pidfile', () => {
    const paths = dnsmasqPaths(defineNetwork(base), { bridge: 'virbr0', stateDir: '/tmp/x', pidfile: '/tmp/p.pid' });
    expect(paths).toEqual({
      conf: '/tmp/x/default.conf',
      hostsfile: '/tmp/x/default.hostsfile',
      addnhosts: '/tmp/x/default.addnhosts',
      pidfile: '/tmp/p.pid',
    });
  });

  it("refuses a name with '/' (it would leave the state folder)", () => {
    expect(() => dnsmasqPaths(defineNetwork({ ...base, name: '../etc/x' }), { bridge: 'virbr0' })).toThrowError(CompileError);
  });
});

describe('dnsmasqCommand', () => {
  it('conf file, read-only leases, only VIR_BRIDGE_NAME in the environment', () => {
    expect(dnsmasqCommand(defineNetwork(base), { bridge: 'virbr0' })).toEqual({
      binary: 'dnsmasq',
      args: ['--conf-file=/var/lib/libvirt/dnsmasq/default.conf', '--leasefile-ro'],
      env: { VIR_BRIDGE_NAME: 'virbr0' },
    });
  });

  it('passes --dhcp-script only for an explicit lease helper', () => {
    const cmd = dnsmasqCommand(defineNetwork(base), {
      bridge: 'virbr0',
      binary: '/usr/sbin/dnsmasq',
      leaseHelper: '/usr/libexec/libvirt_leaseshelper',
    });
    expect(cmd.binary).toBe('/usr/sbin/dnsmasq');
    expect(cmd.args).toEqual([
      '--conf-file=/var/lib/libvirt/dnsmasq/default.conf',
      '--leasefile-ro',
      '--dhcp-script=/usr/libexec/libvirt_leaseshelper',
    ]);
    expect(() => dnsmasqCommand(defineNetwork(base), { bridge: 'virbr0', leaseHelper: 'relative' })).toThrowError(CompileError);
  });

  it('refuses an invalid bridge name', () => {
    for (const bridge of ['', 'a,b', 'has space', 'x'.repeat(16), 'a/b', 'a\nb']) {
      expect(() => dnsmasqCommand(defineNetwork(base), { bridge }), bridge).toThrowError(CompileError);
    }
  });
});

describe('needsDnsmasq', () => {
  it('follows networkStartDhcpDaemon', () => {
    const n = (init: Partial<NetworkInit>): boolean => needsDnsmasq(defineNetwork({ ...base, ...init }));
    expect(n({})).toBe(true); // DNS alone
    expect(n({ ips: [] })).toBe(false);
    expect(n({ dns: { enable: false } })).toBe(false);
    expect(n({ dns: { enable: false }, ips: [{ address: '10.0.0.1', prefix: 24, tftp: { root: '/srv' } }] })).toBe(true);
    expect(
      n({ dns: { enable: false }, ips: [{ address: '10.0.0.1', prefix: 24, dhcp: { hosts: [{ name: 'h', ip: '10.0.0.2' }] } }] }),
    ).toBe(true);
    expect(n({ forward: { mode: 'bridge' }, bridge: { name: 'br0' } })).toBe(false);
    const isolated = { ...base };
    delete isolated.forward;
    expect(needsDnsmasq(defineNetwork(isolated))).toBe(true);
  });
});
