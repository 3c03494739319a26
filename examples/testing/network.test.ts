/**
 * An example unit test of a network configuration, as a virtnet user writes it: no root, no
 * libvirt, no real host. It runs in vitest (and the repository's own suite runs it through
 * test/examples.test.ts); the helpers throw plain Errors, so any framework works.
 *
 * In your project, import from 'virtnet/testing' instead of the relative path.
 */
import { describe, expect, it } from 'vitest';
import {
  createMockHost,
  expectHostUnchanged,
  expectNetworkDown,
  expectNetworkUp,
  failEveryStep,
  startNetwork,
  stopNetwork,
} from '../../src/testing.js';

/** The network under test: a lab with NAT, DHCP, one reserved address, a DNS name and IPv6. */
const LAB = `<network>
  <name>lab</name>
  <forward mode='nat'/>
  <bridge name='virbr-lab' stp='on' delay='0'/>
  <domain name='lab.example'/>
  <dns>
    <host ip='10.20.0.5'><hostname>registry</hostname></host>
  </dns>
  <ip address='10.20.0.1' prefix='24'>
    <dhcp>
      <range start='10.20.0.100' end='10.20.0.199'/>
      <host mac='52:54:00:20:00:10' name='db' ip='10.20.0.10'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:20::1' prefix='64'/>
</network>`;

describe('the lab network', () => {
  it('comes up with its bridge, addresses, DHCP, DNS and NAT', async () => {
    const host = createMockHost();
    const { result, state } = await startNetwork(host, LAB);

    expect(result.ok).toBe(true);
    expectNetworkUp(state, {
      bridge: 'virbr-lab',
      stp: true,
      forwardDelay: 200, // the kernel keeps STP's forward delay at 2 s or more
      addresses: ['10.20.0.1/24', 'fd00:20::1/64'],
      forwarding: { ipv4: true, ipv6: true },
      dhcpRanges: ['10.20.0.100-10.20.0.199'],
      dhcpHosts: [{ mac: '52:54:00:20:00:10', ip: '10.20.0.10', name: 'db' }],
      dnsHosts: [{ ip: '10.20.0.5', hostnames: ['registry'] }],
      dnsmasq: true,
      firewall: { backend: 'nftables', rulesContaining: ['masquerade', 'ip saddr 10.20.0.0/24'] },
    });
  });

  it('is all-or-nothing: whichever step fails, the host is left as it was', async () => {
    const { plan } = await startNetwork(createMockHost(), LAB);
    const reports = await failEveryStep(() => createMockHost(), plan);
    expect(reports).toHaveLength(plan.operations.length);
  });

  it('stops cleanly, leaving only IP forwarding on (as libvirt does)', async () => {
    const host = createMockHost({ dirs: ['/run/libvirt', '/var/lib/libvirt'] });
    const before = host.snapshot();
    await startNetwork(host, LAB);

    const { result, state } = await stopNetwork(host, 'lab');
    expect(result.ok).toBe(true);
    expectNetworkDown(state);
    expectHostUnchanged(before, host.snapshot(), {
      ignoreSysctls: ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding', 'net.ipv6.conf.lo.forwarding'],
    });
  });

  it('cannot start while its bridge name is taken, and says why', async () => {
    const host = createMockHost({ links: [{ name: 'virbr-lab', kind: 'bridge' }] });
    const { result } = await startNetwork(host, LAB);
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ code: 'EEXIST', operationIndex: 0 });
  });

  it('rejects a DHCP range outside the subnet before anything runs, pointing at the line', async () => {
    const broken = LAB.replace("start='10.20.0.100'", "start='10.30.0.100'");
    const host = createMockHost();
    await expect(startNetwork(host, broken)).rejects.toMatchObject({
      code: 'dhcp.range.outside-network',
      path: '/network/ip[1]/dhcp/range[1]',
      line: 11,
    });
    expect(host.log).toHaveLength(0);
  });

  it('checks a network built in code the same way', async () => {
    const network = {
      name: 'coded',
      forward: { mode: 'nat' as const },
      ips: [{ address: '10.40.0.1', prefix: 24, dhcp: { ranges: [{ start: '10.41.0.2', end: '10.41.0.9' }] } }],
    };
    await expect(startNetwork(createMockHost(), network)).rejects.toMatchObject({
      code: 'network.invalid',
      message: expect.stringContaining('/network/ip[1]/dhcp/range[1]'),
    });
  });
});
