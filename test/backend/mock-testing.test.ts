import { describe, expect, it } from 'vitest';
import {
  createMockHost,
  diffSnapshots,
  expectApplied,
  expectHostUnchanged,
  expectNetworkDown,
  expectNetworkUp,
  failEveryStep,
  startNetwork,
  stopNetwork,
} from '../../src/testing.js';

const ISOLATED = `<network>
  <name>iso</name>
  <ip address='10.5.0.1' prefix='24'>
    <dhcp><range start='10.5.0.10' end='10.5.0.20'/></dhcp>
  </ip>
</network>`;

/** The message of the error `fn` throws. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('startNetwork', () => {
  it('picks a free virbrN among the host links and a MAC derived from the network name', async () => {
    const host = createMockHost({ links: [{ name: 'virbr0', kind: 'bridge' }] });
    const first = await startNetwork(host, ISOLATED);
    expectApplied(first.result);
    expect(first.plan.bridge).toBe('virbr1');
    const again = await startNetwork(createMockHost({ links: [{ name: 'virbr0', kind: 'bridge' }] }), ISOLATED);
    expect(again.state.links[0]!.mac).toBe(first.state.links[0]!.mac);
    expect(first.state.links[0]!.mac).toMatch(/^52:54:00:/);
  });

  it('accepts compile options (firewall backend, folders) and a model object', async () => {
    const host = createMockHost();
    const { state } = await startNetwork(
      host,
      { name: 'coded', ips: [{ address: '10.6.0.1', prefix: 24, dhcp: { ranges: [{ start: '10.6.0.2', end: '10.6.0.9' }] } }] },
      { firewallBackend: 'iptables', stateDir: '/tmp/vn', pidDir: '/tmp/vn' },
    );
    expectNetworkUp(state, { firewall: { backend: 'iptables', rulesContaining: ['-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 67 -j ACCEPT'] }, dhcpRanges: ['10.6.0.2-10.6.0.9'] });
    expect(state.files.map((f) => f.path)).toContain('/tmp/vn/coded.conf');
  });
});

describe('expectNetworkUp', () => {
  it('passes on a matching network and lists every difference otherwise', async () => {
    const { state } = await startNetwork(createMockHost(), ISOLATED);
    expectNetworkUp(state, { bridge: 'virbr0', addresses: ['10.5.0.1/24'], dhcpRanges: ['10.5.0.10-10.5.0.20'], forwarding: { ipv4: false }, dnsmasq: true });
    const message = thrown(() =>
      expectNetworkUp(state, {
        bridge: 'virbr9',
        addresses: ['10.5.0.1/16'],
        dhcpRanges: ['10.5.0.10-10.5.0.30'],
        dhcpHosts: [{ ip: '10.5.0.50' }],
        dnsHosts: [{ ip: '10.5.0.2', hostnames: ['x'] }],
        forwarding: { ipv4: true },
        firewall: { backend: 'iptables', rulesContaining: ['masquerade'] },
      }),
    );
    expect(message).toBe(
      [
        "network 'iso' is not up as expected:",
        '  - bridge: expected "virbr9", found "virbr0"',
        '  - addresses: missing "10.5.0.1/16"',
        '  - addresses: unexpected "10.5.0.1/24"',
        '  - net.ipv4.ip_forward: expected 1, found "0"',
        '  - DHCP ranges: missing "10.5.0.10-10.5.0.30"',
        '  - DHCP ranges: unexpected "10.5.0.10-10.5.0.20"',
        '  - DHCP host {"ip":"10.5.0.50"} is not in the hostsfile (empty)',
        '  - DNS host 10.5.0.2: missing "x" in the addnhosts file',
        '  - firewall backend: expected iptables, found nftables',
        '  - firewall: no rule contains "masquerade"',
      ].join('\n'),
    );
  });

  it('says when the network is not there at all', async () => {
    const host = createMockHost();
    const message = thrown(() => expectNetworkUp({ network: 'x', active: false, links: [], addresses: [], routes: [], sysctls: {}, firewall: { backend: 'nftables', rules: [] }, files: [] }));
    expect(message).toBe("network 'x' is not up as expected:\n  - the network is not active (no applied plan on record)\n  - no bridge on the host");
    expect(host.log).toEqual([]);
  });
});

describe('stopNetwork, expectNetworkDown, expectHostUnchanged', () => {
  it('a stopped network is down; a running one is reported part by part', async () => {
    const host = createMockHost();
    const { state: up } = await startNetwork(host, ISOLATED);
    const message = thrown(() => expectNetworkDown(up));
    expect(message).toContain("network 'iso' is not down:");
    expect(message).toContain('  - link virbr0 still exists');
    expect(message).toContain('  - address 10.5.0.1/24 still on virbr0');
    expect(message).toMatch(/dnsmasq still running \(pid \d+\)/);
    const { result, state } = await stopNetwork(host, 'iso');
    expectApplied(result);
    expectNetworkDown(state);
  });

  it('diffSnapshots lists additions, removals and changes; expectHostUnchanged can ignore sysctls', () => {
    const host = createMockHost();
    const before = host.snapshot();
    host.host.apply({ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true });
    host.host.apply({ kind: 'dir.create', path: '/run/x', mode: 0o755 });
    expect(diffSnapshots(before, host.snapshot())).toEqual(['~ sysctl net.ipv4.ip_forward: "0" → "1"', '+ dir /run/x']);
    expect(thrown(() => expectHostUnchanged(before, host.snapshot(), { ignoreSysctls: ['net.ipv4.ip_forward'] }))).toBe('the host changed:\n  + dir /run/x');
    host.host.apply({ kind: 'dir.remove', path: '/run/x' });
    expectHostUnchanged(before, host.snapshot(), { ignoreSysctls: ['net.ipv4.ip_forward'] });
  });
});

describe('failEveryStep', () => {
  it('returns one report per operation when every failure rolls back', async () => {
    const { plan } = await startNetwork(createMockHost(), ISOLATED);
    const reports = await failEveryStep(() => createMockHost(), plan, { errno: 'ENOSPC' });
    expect(reports.map((r) => r.index)).toEqual(plan.operations.map((_, i) => i));
    expect(reports.every((r) => r.result.error?.code === 'ENOSPC' && r.leftovers.length === 0)).toBe(true);
  });

  it('reports each step whose failure leaves the host changed', async () => {
    const { plan } = await startNetwork(createMockHost(), ISOLATED);
    // A host whose folder removal silently does nothing: undo of dir.create leaves folders behind.
    const leaky = () => {
      const host = createMockHost();
      const apply = host.host.apply.bind(host.host);
      host.host.apply = (op) => (op.kind === 'dir.remove' ? [] : apply(op));
      return host;
    };
    const message = await failEveryStep(leaky, plan).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    const firstAfterDirs = plan.operations.findIndex((o) => o.kind === 'file.write');
    expect(message).toMatch(/^failure injection found \d+ problem\(s\):/);
    expect(message).toContain(`operation ${firstAfterDirs} (`);
    expect(message).toContain('the host kept changes:');
    expect(message).toContain('+ dir /run/libvirt/network');
    expect(message).not.toContain('operation 0 (');
  });
});
