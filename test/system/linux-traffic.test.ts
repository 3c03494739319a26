/**
 * End to end on the real kernel, inside network namespaces only: the LinuxBackend starts libvirt's
 * NAT network with DHCP and DNS, a guest gets its static lease and a second one a dynamic lease,
 * resolves names via dnsmasq and reaches the outside only through MASQUERADE; a routed network
 * forwards with the guest's own address; an isolated network forwards nothing. Teardown leaves
 * nothing behind. Skips visibly when not root or a tool is missing.
 *
 * STP: libvirt's default is stp='on', which keeps every new bridge port listening/learning for
 * ~3.8 s (forward delay clamped to 2 s, twice) and drops DHCP frames meanwhile. These tests are
 * about traffic, so their networks say stp='off'; the libvirt comparison test keeps stp='on'.
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileNetwork } from '../../src/compile/compile.js';
import type { FirewallBackendName, Plan } from '../../src/compile/plan.js';
import { LinuxBackend } from '../../src/backend/linux/index.js';
import { parseNetwork } from '../../src/xml/parse.js';
import {
  captureIcmp,
  createTopology,
  destroyAllNamespaces,
  dig,
  inNs,
  liveProcesses,
  ping,
  plugGuest,
  sh,
  sweepStaleNamespaces,
  systemTestSkipReason,
  udhcpcLease,
} from '../support/netns.js';

const skip = systemTestSkipReason(['dnsmasq', 'iptables-restore', 'nft', 'busybox', 'dig', 'tcpdump', 'sysctl']);
if (skip) console.warn(`[system/linux-traffic] SKIPPED: ${skip}`);

const STATIC_MAC = '52:54:00:aa:bb:01';
const DYNAMIC_MAC = '52:54:00:aa:bb:02';

function natXml(): string {
  return `<network>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='off' delay='0'/>
  <mac address='52:54:00:12:34:56'/>
  <domain name='example.com' localOnly='yes'/>
  <dns>
    <host ip='192.168.122.77'><hostname>web</hostname></host>
  </dns>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
      <host mac='${STATIC_MAC}' name='guest1' ip='192.168.122.50'/>
    </dhcp>
  </ip>
</network>`;
}

const tempDirs: string[] = [];
/** A private state folder, 0755 so dnsmasq (as nobody) can read its hostsfile and addnhosts. */
function stateDirs(): { base: string; stateDir: string; pidDir: string; runDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'vnt-sys-'));
  chmodSync(base, 0o755);
  tempDirs.push(base);
  return { base, stateDir: join(base, 'lib'), pidDir: join(base, 'run'), runDir: join(base, 'virtnet') };
}

function compile(xml: string, firewallBackend: FirewallBackendName, dirs: { stateDir: string; pidDir: string }): Plan {
  // leaseHelper null: libvirt's helper would write under /var/lib/libvirt.
  return compileNetwork(parseNetwork(xml), { firewallBackend, stateDir: dirs.stateDir, pidDir: dirs.pidDir, leaseHelper: null });
}

/** Assert the network left nothing: no bridge, rule, file or dnsmasq, and no process in the namespace. */
async function expectGone(backend: LinuxBackend, plan: Plan, host: string): Promise<void> {
  // First, before the inspection below starts the backend's helper process again.
  expect(await liveProcesses(host)).toEqual([]);
  // inspect() of a torn-down network has no plan on record; read with the plan we know.
  const { inspectNetwork } = await import('../../src/backend/linux/inspect.js');
  const state = await inspectNetwork(backend.executor.ctx, plan.network, plan);
  expect(state.links).toEqual([]);
  expect(state.addresses).toEqual([]);
  expect(state.routes).toEqual([]);
  expect(state.firewall.rules).toEqual([]);
  expect(state.files).toEqual([]);
  expect(state.dnsmasq).toBeUndefined();
  expect((await backend.inspect(plan.network)).active).toBe(false);
  expect(await liveProcesses(host)).toEqual([]); // inspect() stops its helper when nothing is up
}

/** Packets counted by the network's catch-all MASQUERADE rule (the one without a port range). */
async function masqueradePackets(host: string, firewall: FirewallBackendName): Promise<number> {
  if (firewall === 'nftables') {
    const out = (await inNs(host, 'nft', ['list', 'chain', 'ip', 'libvirt_network', 'guest_nat'])).stdout;
    const line = out.split('\n').find((l) => / masquerade\s*$/.test(l) && l.includes('192.168.122.0/24'));
    return Number(/counter packets (\d+)/.exec(line ?? '')?.[1] ?? -1);
  }
  const out = (await inNs(host, 'iptables', ['-w', '-t', 'nat', '-L', 'LIBVIRT_PRT', '-n', '-v', '-x'])).stdout;
  const line = out.split('\n').find((l) => /MASQUERADE\s+0\s/.test(l) && !l.includes('masq ports'));
  return Number(line?.trim().split(/\s+/)[0] ?? -1);
}

describe.skipIf(skip !== undefined)('LinuxBackend traffic (namespaces)', () => {
  beforeAll(async () => {
    await sweepStaleNamespaces();
  });
  afterAll(async () => {
    await destroyAllNamespaces();
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });

  for (const firewall of ['nftables', 'iptables'] as const) {
    it.concurrent(`NAT network (${firewall}): static + dynamic DHCP, DNS, masqueraded ping, clean teardown`, async () => {
      const t = await createTopology([STATIC_MAC, DYNAMIC_MAC]);
      const dirs = stateDirs();
      const plan = compile(natXml(), firewall, dirs);
      const backend = new LinuxBackend({ netns: t.host, runDir: dirs.runDir });

      const started = await backend.apply(plan);
      expect(started.error).toBeUndefined();
      expect(started.ok).toBe(true);
      // ip -batch + one nft or one iptables-restore (IPv4 only network) + dnsmasq; without the
      // spawn agent also a sysctl process (only because we work inside a namespace).
      // iptables: the first start in this fresh namespace creates libvirt's global chains with
      // `-N` in the same restore, without reading iptables-save first.
      const sysctlProcess = backend.executor.ctx.spawnMode === 'agent' ? 0 : 1;
      expect(started.processes).toBe(3 + sysctlProcess);

      const state = await backend.inspect('default');
      expect(state.active).toBe(true);
      expect(state.dnsmasq?.running).toBe(true);
      expect(state.links).toMatchObject([{ name: 'virbr0', kind: 'bridge', mac: '52:54:00:12:34:56', stp: false, up: true }]);

      await plugGuest(t, 0, 'virbr0');
      await plugGuest(t, 1, 'virbr0');
      const [staticLease, dynamicLease] = await Promise.all([udhcpcLease(t.guests[0]!, 'guest1'), udhcpcLease(t.guests[1]!, 'guest2')]);
      expect(staticLease.address, staticLease.output).toBe('192.168.122.50');
      expect(dynamicLease.address, dynamicLease.output).toMatch(/^192\.168\.122\.\d+$/);
      expect(dynamicLease.address).not.toBe('192.168.122.50');
      const dyn = Number(dynamicLease.address!.split('.')[3]);
      expect(dyn).toBeGreaterThanOrEqual(2);
      expect(dyn).toBeLessThanOrEqual(254);

      const g = t.guests[0]!;
      await sh('ip', ['-n', g, '-batch', '-'], 'address add 192.168.122.50/24 dev eth0\nroute add default via 192.168.122.1\n');
      expect(await dig(g, '192.168.122.1', 'web.example.com')).toEqual(['192.168.122.77']);
      expect(await dig(g, '192.168.122.1', 'web')).toEqual(['192.168.122.77']);
      expect(await dig(g, '192.168.122.1', 'guest1.example.com')).toEqual(['192.168.122.50']);
      const unknown = await inNs(g, 'dig', ['+time=2', '+tries=1', '@192.168.122.1', 'nosuch.example.com']);
      expect(unknown.stdout).toContain('status: NXDOMAIN');

      // The outside has no route to 192.168.122.0/24: a reply can only come back because the
      // request left with the host's address (the routed test below is the control: without
      // NAT and without a route back the same ping fails).
      const seen = await captureIcmp(t.outside, 'eth0', async () => expect(await ping(g, '198.51.100.2')).toBe(true));
      expect(seen[0]).toMatch(/IP 198\.51\.100\.1 > 198\.51\.100\.2: ICMP echo request/);
      expect(seen.join('\n')).not.toContain('192.168.122.');
      // And the catch-all MASQUERADE rule (ICMP is neither tcp nor udp) counted it.
      expect(await masqueradePackets(t.host, firewall)).toBeGreaterThan(0);

      const stopped = await backend.teardown('default');
      expect(stopped.error).toBeUndefined();
      expect(stopped.ok).toBe(true);
      await expectGone(backend, plan, t.host);
      // IP forwarding stays on, as libvirt leaves it.
      expect((await inNs(t.host, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe('1');
      // A second teardown is a no-op.
      expect((await backend.teardown('default')).unchanged).toBe(true);
      if (firewall === 'iptables') {
        // Started again by the same backend: ip -batch, iptables-restore and dnsmasq, plus a
        // sysctl process where tools are spawned from Node (the spawn agent writes sysctls itself).
        const again = await backend.apply(plan);
        expect(again.error).toBeUndefined();
        expect(again.processes).toBe(backend.executor.ctx.spawnMode === 'agent' ? 3 : 4);
        expect((await backend.teardown('default')).ok).toBe(true);
        await expectGone(backend, plan, t.host);
      }
    });
  }

  it.concurrent('routed network: the guest reaches the outside with its own address, only with a route back', async () => {
    const t = await createTopology([STATIC_MAC]);
    const dirs = stateDirs();
    const xml = `<network><name>routed</name><forward mode='route'/><bridge name='virbr1' stp='off'/>
      <ip address='192.168.150.1' netmask='255.255.255.0'/></network>`;
    const plan = compile(xml, 'nftables', dirs);
    const backend = new LinuxBackend({ netns: t.host, runDir: dirs.runDir });
    const r = await backend.apply(plan);
    expect(r.error).toBeUndefined();
    await plugGuest(t, 0, 'virbr1');
    const g = t.guests[0]!;
    await sh('ip', ['-n', g, '-batch', '-'], 'address add 192.168.150.10/24 dev eth0\nroute add default via 192.168.150.1\n');
    expect(await ping(g, '192.168.150.1')).toBe(true);
    // Control: forwarding is on but there is no NAT and no route back, so no reply.
    expect(await ping(g, '198.51.100.2', 1)).toBe(false);
    await sh('ip', ['-n', t.outside, 'route', 'add', '192.168.150.0/24', 'via', '198.51.100.1']);
    const seen = await captureIcmp(t.outside, 'eth0', async () => expect(await ping(g, '198.51.100.2')).toBe(true));
    expect(seen[0]).toMatch(/IP 192\.168\.150\.10 > 198\.51\.100\.2: ICMP echo request/);
    expect((await backend.teardown('routed')).ok).toBe(true);
    await expectGone(backend, plan, t.host);
  });

  it.concurrent('isolated network: the guest reaches the host but nothing beyond, even with forwarding on', async () => {
    const t = await createTopology([STATIC_MAC]);
    const dirs = stateDirs();
    const xml = `<network><name>isolated</name><bridge name='virbr2' stp='off'/>
      <ip address='192.168.160.1' netmask='255.255.255.0'/></network>`;
    const plan = compile(xml, 'iptables', dirs);
    expect(plan.operations.some((op) => op.kind === 'sysctl.set' && op.key === 'net.ipv4.ip_forward')).toBe(false);
    const backend = new LinuxBackend({ netns: t.host, runDir: dirs.runDir });
    expect((await backend.apply(plan)).error).toBeUndefined();
    // Forwarding on and a route back: only the firewall can stop the packets.
    await sh('ip', ['netns', 'exec', t.host, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    await sh('ip', ['-n', t.outside, 'route', 'add', '192.168.160.0/24', 'via', '198.51.100.1']);
    await plugGuest(t, 0, 'virbr2');
    const g = t.guests[0]!;
    await sh('ip', ['-n', g, '-batch', '-'], 'address add 192.168.160.10/24 dev eth0\nroute add default via 192.168.160.1\n');
    expect(await ping(g, '192.168.160.1')).toBe(true);
    const seen = await captureIcmp(t.outside, 'eth0', async () => expect(await ping(g, '198.51.100.2', 1)).toBe(false));
    expect(seen).toEqual([]);
    expect((await backend.teardown('isolated')).ok).toBe(true);
    await expectGone(backend, plan, t.host);
  });
});
