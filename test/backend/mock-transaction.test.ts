/**
 * The transaction proof: for a full NAT network (DHCP range, a static host, a DNS host record, an
 * IPv6 address, a static route), a failure injected at EVERY operation leaves the host exactly as
 * it was, and the result names the operation that failed.
 */
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../src/compile/compile.js';
import type { FirewallBackendName, Plan } from '../../src/compile/plan.js';
import { MockBackend } from '../../src/backend/mock/backend.js';
import type { HostSnapshot } from '../../src/backend/mock/state.js';
import { parseNetwork } from '../../src/xml/parse.js';

export const NAT_NETWORK_XML = `<network>
  <name>default</name>
  <uuid>0d2bbbc6-6ba6-4b39-86dc-56f3d3a6e9b1</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:0a:cd:21'/>
  <dns>
    <host ip='192.168.122.10'><hostname>web</hostname></host>
  </dns>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
      <host mac='52:54:00:aa:bb:01' name='guest1' ip='192.168.122.50'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='2001:db8:122::1' prefix='64'/>
  <route address='10.10.0.0' prefix='16' gateway='192.168.122.2'/>
</network>`;

function natPlan(firewallBackend: FirewallBackendName): Plan {
  return compileNetwork(parseNetwork(NAT_NETWORK_XML), { firewallBackend });
}

/** Keys libvirt leaves switched on after a network stops (and what the kernel propagates from them). */
const KEPT_AFTER_TEARDOWN = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding', 'net.ipv6.conf.lo.forwarding'];

function withoutKeptSysctls(s: HostSnapshot): HostSnapshot {
  const sysctls = { ...s.sysctls };
  for (const key of KEPT_AFTER_TEARDOWN) delete sysctls[key];
  return { ...s, sysctls };
}

describe.each(['nftables', 'iptables'] as const)('transaction proof (%s)', (backend) => {
  const plan = natPlan(backend);

  it('the plan covers every part of the network', () => {
    const kinds = plan.operations.map((o) => o.kind);
    for (const kind of ['link.create-bridge', 'address.add', 'link.set-state', 'route.add', 'sysctl.set', 'firewall.add', 'dir.create', 'file.write', 'dnsmasq.start'] as const) {
      expect(kinds).toContain(kind);
    }
    expect(plan.operations.filter((o) => o.kind === 'address.add')).toHaveLength(2);
  });

  it('applies cleanly: the host shows the network, the process budget holds', async () => {
    const mock = new MockBackend();
    const result = await mock.apply(plan);
    expect(result.ok).toBe(true);
    expect(result.operations.every((r) => r.status === 'done')).toBe(true);
    // one ip batch, the firewall (nft -f + tc, or iptables-restore + ip6tables-restore), dnsmasq
    expect(result.processes).toBe(4);
    const state = await mock.inspect('default');
    expect(state.active).toBe(true);
    expect(state.links[0]).toMatchObject({ name: 'virbr0', up: true, stp: true, forwardDelay: 200, mac: '52:54:00:0a:cd:21' });
    expect(state.addresses.map((a) => `${a.address}/${a.prefix}`)).toEqual(['192.168.122.1/24', '2001:db8:122::1/64']);
    expect(state.routes).toEqual([{ dev: 'virbr0', family: 'ipv4', destination: '10.10.0.0', prefix: 16, gateway: '192.168.122.2', metric: 0 }]);
    expect(state.dnsmasq?.running).toBe(true);
    expect(state.firewall.backend).toBe(backend);
    expect(state.firewall.rules.length).toBeGreaterThan(10);
  });

  it('a failure injected at every operation leaves the host exactly as before and names the operation', async () => {
    const n = plan.operations.length;
    expect(n).toBeGreaterThanOrEqual(15);
    let checked = 0;
    for (let i = 0; i < n; i++) {
      const mock = new MockBackend();
      const before = mock.snapshot();
      mock.failAt(i, 'EIO');
      const result = await mock.apply(plan);
      const op = plan.operations[i]!;
      if (op.kind === 'route.add' && op.ignoreErrors) {
        // libvirt ignores a failing static route: the network comes up without it.
        expect(result.ok, `index ${i}`).toBe(true);
        expect(result.operations[i]!.status).toBe('ignored');
        expect(mock.snapshot().routes).toEqual([]);
        continue;
      }
      expect(result.ok, `index ${i}`).toBe(false);
      expect(result.rolledBack, `index ${i}: ${JSON.stringify(result.undo.filter((u) => u.status !== 'undone'))}`).toBe(true);
      expect(result.error).toMatchObject({ code: 'EIO', operationIndex: i });
      expect(result.operations[i]).toMatchObject({ status: 'failed', operation: op });
      expect(result.operations.slice(0, i).every((r) => r.status === 'undone')).toBe(true);
      expect(result.operations.slice(i + 1).every((r) => r.status === 'skipped')).toBe(true);
      expect(mock.snapshot(), `host after a failure at operation ${i} (${op.kind})`).toEqual(before);
      expect((await mock.inspect('default')).active).toBe(false);
      // The network can still be started afterwards.
      expect((await mock.apply(plan)).ok).toBe(true);
      checked++;
    }
    expect(checked).toBe(n - plan.operations.filter((o) => o.kind === 'route.add').length);
  });

  it('a real refusal mid-plan (dnsmasq cannot bind: another dnsmasq serves virbr0) also rolls back completely', async () => {
    const mock = new MockBackend();
    // Something else already runs a dnsmasq on virbr0's interface.
    mock.host.apply({ kind: 'file.write', path: '/tmp/other.conf', content: 'interface=virbr0\n', mode: 0o600 });
    mock.host.apply({ kind: 'dnsmasq.start', network: 'other', binary: 'dnsmasq', args: ['--conf-file=/tmp/other.conf'], env: {}, pidfile: '/tmp/other.pid' });
    const before = mock.snapshot();
    const result = await mock.apply(plan);
    expect(result).toMatchObject({ ok: false, rolledBack: true, error: { code: 'ECOMMAND', operationIndex: plan.operations.length - 1 } });
    expect(result.error?.message).toContain('Address already in use');
    expect(mock.snapshot()).toEqual(before);
  });

  it('a bridge name already taken fails the first operation with EEXIST and touches nothing', async () => {
    const mock = new MockBackend({ links: [{ name: 'virbr0', kind: 'bridge' }] });
    const before = mock.snapshot();
    const result = await mock.apply(plan);
    expect(result).toMatchObject({ ok: false, rolledBack: true, undo: [], error: { code: 'EEXIST', operationIndex: 0 } });
    expect(mock.snapshot()).toEqual(before);
  });

  it('re-apply is a no-op; teardown returns the host to where it was, except the forwarding switches libvirt keeps on', async () => {
    // A host where libvirt is installed: its parent folders exist.
    const mock = new MockBackend({ dirs: ['/run/libvirt', '/var/lib/libvirt'] });
    const before = mock.snapshot();
    expect((await mock.apply(plan)).ok).toBe(true);
    const logged = mock.log.length;
    expect(await mock.apply(plan)).toMatchObject({ ok: true, unchanged: true });
    expect(mock.log.length).toBe(logged);

    const down = await mock.teardown('default');
    expect(down.ok, JSON.stringify(down.error)).toBe(true);
    const after = mock.snapshot();
    expect(withoutKeptSysctls(after)).toEqual(withoutKeptSysctls(before));
    expect(after.sysctls['net.ipv4.ip_forward']).toBe('1');
    expect(after.sysctls['net.ipv6.conf.all.forwarding']).toBe('1');
    expect(await mock.teardown('default')).toMatchObject({ ok: true, unchanged: true });
    expect((await mock.inspect('default')).active).toBe(false);
  });

  it('on a bare host the teardown leaves only the parent folders mkdir -p made', async () => {
    const mock = new MockBackend();
    const before = mock.snapshot();
    await mock.apply(plan);
    await mock.teardown(plan);
    const after = mock.snapshot();
    expect(after.dirs.filter((d) => !before.dirs.includes(d))).toEqual(['/run/libvirt', '/var/lib/libvirt']);
    expect(withoutKeptSysctls({ ...after, dirs: before.dirs })).toEqual(withoutKeptSysctls(before));
  });

  it('a different plan for the running network is refused with network.active', async () => {
    const mock = new MockBackend();
    await mock.apply(plan);
    const other = compileNetwork(parseNetwork(NAT_NETWORK_XML.replace("delay='0'", "delay='5'")), { firewallBackend: backend });
    const before = mock.snapshot();
    const result = await mock.apply(other);
    expect(result.error?.code).toBe('network.active');
    expect(mock.snapshot()).toEqual(before);
  });
});

describe('two networks on one host', () => {
  it('share the dnsmasq folders: tearing one down keeps the folders the other uses', async () => {
    const mock = new MockBackend();
    const first = compileNetwork(parseNetwork(NAT_NETWORK_XML));
    const second = compileNetwork(
      parseNetwork(
        NAT_NETWORK_XML.replace('<name>default</name>', '<name>second</name>')
          .replace("name='virbr0'", "name='virbr1'")
          .replaceAll('192.168.122', '192.168.123')
          .replaceAll('2001:db8:122', '2001:db8:123')
          .replace('52:54:00:0a:cd:21', '52:54:00:0a:cd:22')
          .replace(/<uuid>.*<\/uuid>/, '')
          .replace("gateway='192.168.123.2'", "gateway='192.168.123.2'"),
      ),
    );
    expect((await mock.apply(first)).ok).toBe(true);
    expect((await mock.apply(second)).ok).toBe(true);
    expect((await mock.teardown('default')).ok).toBe(true);
    const state = await mock.inspect('second');
    expect(state.dnsmasq?.running).toBe(true);
    expect(state.files.map((f) => f.path)).toContain('/var/lib/libvirt/dnsmasq/second.conf');
    expect(mock.snapshot().dirs).toContain('/var/lib/libvirt/dnsmasq');
    expect(state.firewall.rules.length).toBeGreaterThan(10);
    expect((await mock.inspect('default')).firewall.rules).toEqual([]);
  });
});
